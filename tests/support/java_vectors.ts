/**
 * Known-answer bytes made by Kafka 4.1's Java client
 * (`tests/protocol/fixtures/java_vectors.json`, from `GenVectors.java` there).
 *
 * @module
 */
import vectors from "../protocol/fixtures/java_vectors.json" with { type: "json" };
import { unhex } from "./bytes.ts";

/** Every vector, by name, as hex. */
const JAVA: Readonly<Record<string, string>> = vectors;

/** A Java known-answer vector as bytes. */
export function java(name: string): Uint8Array {
  const v = JAVA[name];
  if (v === undefined) throw new Error(`no Java vector ${name}`);
  return unhex(v);
}
