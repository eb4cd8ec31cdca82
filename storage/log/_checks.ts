/**
 * Argument checks shared by the log-backed store: keys inside the store's
 * resource, resourceVersion strings, and turning unknown
 * failures into typed errors.
 *
 * @module
 */

import {
  internal,
  invalidArgument,
  invalidKey,
  invalidObject,
  isStorageError,
  type StorageError,
} from "../errors.ts";
import { validateKey } from "../keys.ts";
import { type KubeObject, parseResourceVersion } from "../object.ts";
import type { Predicate } from "../store.ts";

/**
 * Object keys that certainly pass `validateKey`: `/registry` then segments
 * that are neither empty, `.` nor `..` and hold no NUL. Tested first so the
 * hot path (every get and write) does not allocate.
 */
// deno-lint-ignore no-control-regex -- NUL must be refused
const PLAIN_OBJECT_KEY = /^\/registry(?:\/(?!\.\.?(?:\/|$))[^/\u0000]+)+$/;

/** Checks a key naming one object of the resource under `prefix`. */
export function checkObjectKey(key: string, prefix: string): void {
  if (
    typeof key === "string" && key.startsWith(prefix) &&
    PLAIN_OBJECT_KEY.test(key)
  ) return;
  validateKey(key);
  if (!key.startsWith(prefix)) {
    throw invalidKey(key, `outside the store's resource prefix ${prefix}`);
  }
  if (key.endsWith("/")) {
    throw invalidKey(key, "an object key may not end with /");
  }
}

/**
 * Checks a list/watch key: with `recursive` a missing trailing `/` is added
 * (as upstream does). Returns the key to use.
 */
export function checkScanKey(
  key: string,
  prefix: string,
  recursive: boolean,
): string {
  if (recursive) {
    if (typeof key === "string" && !key.endsWith("/")) key += "/";
    validateKey(key);
    if (!key.startsWith(prefix)) {
      throw invalidKey(key, `outside the store's resource prefix ${prefix}`);
    }
    return key;
  }
  checkObjectKey(key, prefix);
  return key;
}

/** Parses a resourceVersion option; malformed is `InvalidArgument`. */
export function parseRV(rv: string | undefined): number {
  if (rv !== undefined && typeof rv !== "string") {
    throw invalidArgument(
      `invalid resource version ${JSON.stringify(rv)}: must be a string`,
    );
  }
  const n = parseResourceVersion(rv);
  if (n === undefined) {
    throw invalidArgument(
      `invalid resource version ${
        JSON.stringify(rv)
      }: must be a non-negative integer`,
    );
  }
  return n;
}

/** Checks that `obj` is a usable object (a JSON object with `metadata`). */
export function checkObject(key: string, obj: unknown): KubeObject {
  if (
    obj === null || typeof obj !== "object" || Array.isArray(obj) ||
    (obj as KubeObject).metadata === null ||
    typeof (obj as KubeObject).metadata !== "object" ||
    Array.isArray((obj as KubeObject).metadata)
  ) {
    throw invalidObject(key, "the object must be a JSON object with metadata");
  }
  return obj as KubeObject;
}

/** `predicate.matches`, or match-all when there is no predicate. */
export function matcher(
  predicate: Predicate | undefined,
): (obj: KubeObject) => boolean {
  return predicate ? (obj) => predicate.matches(obj) : () => true;
}

/** True when `predicate` selects every object. */
export function matchesEverything(predicate: Predicate | undefined): boolean {
  return !predicate || predicate.everything === true;
}

/** `err` as a `StorageError` (unknown failures become `Internal`). */
export function asStorageError(err: unknown): StorageError {
  if (isStorageError(err)) return err;
  return internal(
    `storage failure: ${err instanceof Error ? err.message : String(err)}`,
    err,
  );
}
