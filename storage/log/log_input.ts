/**
 * Input checks for a database-backed revision log (`Log`): bad input fails
 * with a typed storage error before anything touches the database. Shared
 * by the SQLite and PostgreSQL backends, whose logs take raw revisions,
 * keys, prefixes and value strings.
 *
 * @module
 */

import { invalidArgument, invalidKey, prefixEnd, validateKey } from "../mod.ts";

/** A non-negative integer revision or limit (undefined = 0). */
export function checkLogRevision(
  name: string,
  rev: number | undefined,
): number {
  if (rev === undefined) return 0;
  if (!Number.isSafeInteger(rev) || rev < 0) {
    throw invalidArgument(`${name} must be a non-negative integer, got ${rev}`);
  }
  return rev;
}

/**
 * Object keys that certainly pass `validateKey`: `/registry` then segments
 * that are neither empty, `.` nor `..` and hold no NUL. Tested first so the
 * hot path does not allocate; anything else gets `validateKey`'s verdict.
 */
// deno-lint-ignore no-control-regex -- NUL must be refused
const PLAIN_OBJECT_KEY = /^\/registry(?:\/(?!\.\.?(?:\/|$))[^/\u0000]+)+$/;

/** A valid storage key naming one object. */
export function checkLogObjectKey(key: string): void {
  if (
    typeof key === "string" && PLAIN_OBJECT_KEY.test(key) && key.isWellFormed()
  ) return;
  validateKey(key);
  if (key.endsWith("/")) throw invalidKey(key, "object keys may not end in /");
  if (!key.isWellFormed()) throw invalidKey(key, "unpaired UTF-16 surrogate");
}

/** A valid scan prefix; returns the exclusive end of its range. */
export function checkLogPrefix(prefix: string): string {
  validateKey(prefix);
  if (!prefix.isWellFormed()) {
    throw invalidKey(prefix, "unpaired UTF-16 surrogate");
  }
  return prefixEnd(prefix);
}

/** A storable value: a well-formed string. */
export function checkLogValue(key: string, value: string): void {
  if (typeof value !== "string") {
    throw invalidArgument(`value for ${key} must be a string`);
  }
  if (!value.isWellFormed()) {
    throw invalidArgument(`value for ${key} has an unpaired UTF-16 surrogate`);
  }
}
