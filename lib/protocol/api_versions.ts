/**
 * The ApiVersions codec and its types, described in `./messages/api_versions.ts`; this
 * path stays for the modules that import it from here.
 *
 * @module
 */

export * from "./messages/api_versions.ts";
