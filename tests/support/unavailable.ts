/**
 * Checks for storage outages: every call fails with `Unavailable` and a
 * message that names the cause.
 *
 * @module
 */

import assert from "node:assert/strict";
import { isStorageError, type StorageError } from "../../storage/mod.ts";

/**
 * Awaits `calls` together; each must fail with an `Unavailable` error whose
 * message matches `message`. Returns the errors in order and how long the
 * slowest took.
 */
export async function allUnavailable(
  calls: Promise<unknown>[],
  message: RegExp,
): Promise<{ errors: StorageError[]; ms: number }> {
  const started = Date.now();
  const outcomes = await Promise.all(
    calls.map((p) => p.then(() => undefined, (e) => e)),
  );
  const ms = Date.now() - started;
  for (const err of outcomes) {
    assert.ok(isStorageError(err, "Unavailable"), String(err));
    assert.match(err.message, message);
  }
  return { errors: outcomes as StorageError[], ms };
}
