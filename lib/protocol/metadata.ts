/**
 * The Metadata codec and its types, described in `./messages/metadata.ts`; this
 * path stays for the modules that import it from here.
 *
 * @module
 */

export * from "./messages/metadata.ts";
