/**
 * A field's value where the version has none (decoding) or the caller left
 * it out (encoding): the description's `default`, else the type's zero —
 * 0, 0n, false, "", empty bytes, the zero UUID (null with `zeroIsNull`),
 * an empty array, a struct of its fields' defaults. Mutable defaults are
 * made fresh each time.
 *
 * @module
 */

import type { FieldSpec } from "./schema.ts";

/** A function making `spec`'s default value. */
export function defaultOf(spec: FieldSpec): () => unknown {
  if (spec.default !== undefined) {
    const value = spec.default;
    return () => value;
  }
  switch (spec.type) {
    case "int64":
      return () => 0n;
    case "bool":
      return () => false;
    case "string":
      return () => "";
    case "bytes":
    case "records":
      return () => new Uint8Array(0);
    case "uuid":
      return spec.zeroIsNull ? () => null : () => new Uint8Array(16);
    case "array":
      return () => [];
    case "struct": {
      const parts = Object.entries(spec.fields ?? {})
        .filter(([, f]) => !f.ignored)
        .map(([name, f]) => [name, defaultOf(f)] as const);
      return () => {
        const out: Record<string, unknown> = {};
        for (const [name, make] of parts) out[name] = make();
        return out;
      };
    }
    default:
      return () => 0;
  }
}
