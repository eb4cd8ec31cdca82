/** The shared internal helpers behave as their callers rely on. */

import assert from "node:assert/strict";
import { isObject, jsonEqual } from "./json.ts";
import { rfc3339 } from "./time.ts";
import { sleep } from "./sleep.ts";

Deno.test("isObject accepts objects only, not arrays, null or scalars", () => {
  assert.equal(isObject({}), true);
  for (const v of [null, [], "x", 1, true, undefined]) {
    assert.equal(isObject(v), false, String(v));
  }
});

Deno.test("jsonEqual compares by structure and ignores key order", () => {
  assert.equal(
    jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] }),
    true,
  );
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: undefined }), false);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual({ a: [] }, { a: {} }), false);
  assert.equal(jsonEqual("1", 1), false);
});

Deno.test("rfc3339 drops the milliseconds", () => {
  assert.equal(
    rfc3339(new Date("2026-01-02T03:04:05.678Z")),
    "2026-01-02T03:04:05Z",
  );
});

Deno.test("sleep ends early when aborted and leaves no timer", async () => {
  const stop = new AbortController();
  const started = Date.now();
  const waiting = sleep(60_000, stop.signal);
  stop.abort();
  await waiting;
  assert.ok(Date.now() - started < 30_000);
  await sleep(1, stop.signal); // already aborted: at once
  await sleep(1);
});
