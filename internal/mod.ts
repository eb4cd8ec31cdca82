/**
 * The public face of `internal/` for folders that may import only a
 * folder's `mod.ts` (`cli/`): the small shared helpers. Other folders may
 * import the files directly. `lazy_npm.ts` and `x509/` stay out, so that
 * importing this loads no npm package.
 *
 * @module
 */

export { parseDuration } from "./duration.ts";
export { isObject, jsonEqual } from "./json.ts";
export { startGcPacer } from "./gc_pacer.ts";
export { startMallocTrimmer } from "./malloc_trim.ts";
export { sleep } from "./sleep.ts";
export { rfc3339 } from "./time.ts";
