/**
 * Turns a message description into an {@link ApiCodec}: its request and
 * response bodies encoded and decoded by the interpreter
 * ({@link "./encoder.ts"}, {@link "./decoder.ts"}) from plans compiled once
 * per version on first use ({@link "./plan.ts"}).
 *
 * @example
 * ```ts
 * import { int16, int32, int8, string, struct } from "./schema.ts";
 *
 * export const FindCoordinator = message({
 *   name: "FindCoordinator", apiKey: 10, validVersions: "0-6", flexibleVersions: "3+",
 *   request: struct({ key: string({ versions: "0-3" }), keyType: int8({ versions: "1+" }) }),
 *   response: struct({ throttleTimeMs: int32({ versions: "1+" }), errorCode: int16({ versions: "0-3" }) }),
 * });
 * ```
 *
 * @module
 */

import type { ApiCodec } from "./api.ts";
import { read } from "./decoder.ts";
import { size, write } from "./encoder.ts";
import { type Op, opOf } from "./plan.ts";
import type { Reader } from "./reader.ts";
import type { AnyField, In, Out } from "./schema.ts";
import { parseVersions, type VersionRange } from "./versions.ts";
import type { Writer } from "./writer.ts";

/** A message body (request or response) at every version of its API. */
export interface Body<I, O> {
  /** Writes `value` as the body of `version`. */
  encode(w: Writer, value: I, version: number): void;
  /** Reads a body of `version`. */
  decode(r: Reader, version: number): O;
  /** At least the bytes `encode` writes for `value`. */
  size(value: I, version: number): number;
}

/**
 * An {@link ApiCodec} made from a description, with both directions of
 * both bodies (`request.decode` and `response.encode` serve tests and fake
 * brokers).
 */
export interface MessageCodec<Req, Res, ReqOut = Req, ResIn = Res> extends ApiCodec<Req, Res> {
  /** The request body. */
  readonly request: Body<Req, ReqOut>;
  /** The response body. */
  readonly response: Body<ResIn, Res>;
}

/** A message as Kafka's schemas describe it. */
export interface MessageSpec<Req extends AnyField, Res extends AnyField> {
  /** The API's name, e.g. `"Produce"`. */
  readonly name: string;
  /** Its API key. */
  readonly apiKey: number;
  /** The versions this codec implements (Kafka's `validVersions`, or fewer). */
  readonly validVersions: VersionRange;
  /** Versions with compact encodings and tagged fields (`flexibleVersions`). */
  readonly flexibleVersions: VersionRange;
  /** The request body: a struct. */
  readonly request: Req;
  /** The response body: a struct. */
  readonly response: Res;
}

/** The codec of the message `spec` describes. */
export function message<Req extends AnyField, Res extends AnyField>(
  spec: MessageSpec<Req, Res>,
): MessageCodec<In<Req>, Out<Res>, Out<Req>, In<Res>> {
  const { lo, hi } = parseVersions(spec.validVersions);
  // "none" parses as the empty range 0..-1: never flexible.
  const flexibleFrom = spec.flexibleVersions === "none"
    ? Infinity
    : parseVersions(spec.flexibleVersions).lo;
  const bodyOf = <I, O>(description: AnyField, what: string) =>
    body<I, O>(description, spec.name, what, lo, hi, flexibleFrom);
  const request = bodyOf<In<Req>, Out<Req>>(spec.request, "request");
  const response = bodyOf<In<Res>, Out<Res>>(spec.response, "response");
  return {
    apiKey: spec.apiKey,
    name: spec.name,
    minVersion: lo,
    maxVersion: hi,
    flexibleFrom,
    request,
    response,
    encodeRequest: (w, req, version) => request.encode(w, req, version),
    decodeResponse: (r, version) => response.decode(r, version),
    sizeHint: (req, version) => request.size(req, version),
  };
}

function body<I, O>(
  description: AnyField,
  name: string,
  what: string,
  minVersion: number,
  maxVersion: number,
  flexibleFrom: number,
): Body<I, O> {
  const ops: Op[] = [];
  const opAt = (version: number) => {
    if (!(version >= minVersion && version <= maxVersion) || (version | 0) !== version) {
      throw new RangeError(
        `${name} ${what} version ${version} outside ${minVersion}…${maxVersion}`,
      );
    }
    return ops[version] = opOf(description, version, version >= flexibleFrom);
  };
  return {
    encode(w, value, version) {
      const op = ops[version] ?? opAt(version);
      try {
        write(op, w, value);
      } catch (error) {
        if (error instanceof RangeError) {
          error.message = `${name} v${version} ${what}: ${error.message}`;
        }
        throw error;
      }
    },
    decode: (r, version) => read(ops[version] ?? opAt(version), r) as O,
    size: (value, version) => size(ops[version] ?? opAt(version), value),
  };
}
