/**
 * SASL PLAIN (RFC 4616): the username and password in one message, in the
 * clear — only over TLS, or to a test broker. The authorization identity is
 * left empty, as Kafka's Java client does: the broker then authorizes the
 * username itself.
 *
 * @module
 */

import { SaslAuthenticationError } from "../../errors.ts";
import type { SaslExchange, SaslMechanism } from "./mechanism.ts";

const encoder = new TextEncoder();

/**
 * PLAIN with these credentials. Each exchange sends `\0username\0password`
 * (UTF-8) and is complete with the broker's answer, which is empty on success
 * (a refusal arrives as an error code, before {@link SaslExchange.next}).
 *
 * @throws {SaslAuthenticationError} from `first()` when the username or
 *   password contains NUL, which would move the field boundary.
 */
export function plainMechanism(username: string, password: string): SaslMechanism {
  return {
    name: "PLAIN",
    exchange: () => new PlainExchange(username, password),
  };
}

/** One PLAIN exchange: the credentials, then the broker's (empty) answer. */
class PlainExchange implements SaslExchange {
  #username: string;
  #password: string;
  #state: "initial" | "sent" | "done" = "initial";

  constructor(username: string, password: string) {
    this.#username = username;
    this.#password = password;
  }

  first(): Promise<Uint8Array> {
    if (this.#state !== "initial") {
      return Promise.reject(fault("first() called twice"));
    }
    this.#state = "done";
    // NUL separates the fields: one inside a field would shift them (the name
    // of the field is enough; its value stays out of the message).
    if (this.#username.includes("\0")) {
      return Promise.reject(fault("the username contains a NUL character"));
    }
    if (this.#password.includes("\0")) {
      return Promise.reject(fault("the password contains a NUL character"));
    }
    this.#state = "sent";
    return Promise.resolve(encoder.encode(`\0${this.#username}\0${this.#password}`));
  }

  next(_challenge: Uint8Array): Promise<Uint8Array | null> {
    if (this.#state !== "sent") {
      return Promise.reject(
        fault(
          this.#state === "initial"
            ? "next() called before first()"
            : "next() called after the exchange ended",
        ),
      );
    }
    this.#state = "done";
    return Promise.resolve(null);
  }
}

function fault(what: string): SaslAuthenticationError {
  return new SaslAuthenticationError(`PLAIN: ${what}`);
}
