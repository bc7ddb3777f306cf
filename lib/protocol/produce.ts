/**
 * The Produce codec and its types, described in `./messages/produce.ts`; this
 * path stays for the modules that import it from here.
 *
 * @module
 */

export * from "./messages/produce.ts";
