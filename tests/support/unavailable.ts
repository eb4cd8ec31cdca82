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

/**
 * Runs `round` (it returns how many of its calls failed) until three rounds
 * in a row fail none — no call lands on a dead connection any more; fails
 * once `ms` passed since `since` (default: now) before that.
 */
export async function recoversWithin(
  round: (n: number) => Promise<number>,
  ms: number,
  since = Date.now(),
): Promise<void> {
  let clean = 0;
  for (let n = 0; clean < 3; n++) {
    clean = (await round(n)) === 0 ? clean + 1 : 0;
    const waited = Date.now() - since;
    if (clean < 3) {
      assert.ok(waited < ms, `calls still failing ${waited} ms after the heal`);
    }
  }
}
