/**
 * Requests any broker can answer (Metadata, InitProducerId without a
 * transactional id) go to the known brokers one after another until one
 * answers, as the Java client moves on to another node when one fails.
 *
 * @module
 */
import { NetworkError } from "../errors.ts";
import type { Connection } from "./connection.ts";
import type { ConnectionPool } from "./pool.ts";

/**
 * Calls `ask` with a connection to each of `addresses` in turn, starting at
 * index `from` (wrapping round), and resolves with the first value it
 * resolves with. A failure (connecting, or `ask` throwing or rejecting) is
 * passed to `onFailure` and the next address is tried.
 * @throws the last failure, or a {@link NetworkError} "no broker to ask for
 * `what`" when `addresses` is empty.
 */
export async function tryEachBroker<T>(
  pool: ConnectionPool,
  addresses: readonly string[],
  what: string,
  ask: (connection: Connection, address: string) => T | Promise<T>,
  from = 0,
  onFailure: (error: unknown) => void = () => {},
): Promise<T> {
  let lastError: unknown = new NetworkError(`no broker to ask for ${what}`);
  for (let i = 0; i < addresses.length; i++) {
    const address = addresses[(from + i) % addresses.length];
    try {
      return await ask(await pool.get(address), address);
    } catch (error) {
      lastError = error;
      onFailure(error);
    }
  }
  throw lastError;
}
