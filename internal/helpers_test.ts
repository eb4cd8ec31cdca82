/** The shared internal helpers behave as their callers rely on. */

import assert from "node:assert/strict";
import { deepFreeze, isDeepFrozen, isObject, jsonEqual } from "./json.ts";
import { JsonInterner } from "./json_interner.ts";
import { StringInterner } from "./string_interner.ts";
import { RecentWeakMap } from "./recent_weak_map.ts";
import { ClusterMap } from "./cluster_map.ts";
import { rfc3339 } from "./time.ts";
import { digestHex, randomSerialHex, toHex } from "./hex.ts";
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

Deno.test("rfc3339 is right across seconds, before 1970 and beyond year 9999", () => {
  const cases: [string, string][] = [
    ["2026-01-02T03:04:05.000Z", "2026-01-02T03:04:05Z"],
    ["2026-01-02T03:04:05.999Z", "2026-01-02T03:04:05Z"],
    ["2026-01-02T03:04:06.001Z", "2026-01-02T03:04:06Z"],
    ["2026-01-02T03:04:05.500Z", "2026-01-02T03:04:05Z"],
    ["1969-12-31T23:59:59.500Z", "1969-12-31T23:59:59Z"],
    ["1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z"],
    ["+010000-01-01T00:00:00.250Z", "+010000-01-01T00:00:00Z"],
  ];
  for (const [iso, want] of cases) assert.equal(rfc3339(new Date(iso)), want);
  assert.throws(() => rfc3339(new Date(NaN)), RangeError);
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

Deno.test("deepFreeze freezes every level in place and skips frozen parts", () => {
  const shared = Object.freeze({ x: { y: 1 } });
  const v = deepFreeze({ a: { b: [1, { c: 2 }] }, shared });
  assert.ok(
    Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a.b),
  );
  assert.ok(Object.isFrozen(v.a.b[1]));
  // A part frozen already is taken as frozen all the way down.
  assert.equal(Object.isFrozen(shared.x), false);
  assert.equal(deepFreeze(null), null);
  assert.equal(deepFreeze(3), 3);
});

Deno.test("isDeepFrozen wants every level frozen", () => {
  assert.ok(isDeepFrozen(deepFreeze({ a: { b: [1, { c: 2 }] } })));
  assert.ok(isDeepFrozen(3) && isDeepFrozen(null) && isDeepFrozen("s"));
  assert.equal(isDeepFrozen({}), false);
  assert.equal(isDeepFrozen(Object.freeze({ a: [1] })), false);
  const deep = Object.freeze({ a: Object.freeze([Object.freeze({ b: {} })]) });
  assert.equal(isDeepFrozen(deep), false);
});

Deno.test("JsonInterner shares one frozen copy per text and remembers deep-frozen values by identity", () => {
  const values = new JsonInterner();
  const a = values.intern({ k: ["v"] });
  assert.equal(values.intern({ k: ["v"] }), a);
  assert.ok(isDeepFrozen(a));
  // A deep-frozen value is remembered: its text is not asked for again.
  let asked = 0;
  const frozen = deepFreeze({
    k: ["v"],
    toJSON() {
      asked++;
      return { k: ["v"] };
    },
  });
  assert.equal(values.intern(frozen), a);
  assert.equal(values.intern(frozen), a);
  assert.equal(asked, 1);
  // Unless the caller says it is made afresh each time.
  const fresh = deepFreeze({ k: ["v"], toJSON: frozen.toJSON });
  assert.equal(values.intern(fresh, false), a);
  assert.equal(values.intern(fresh, false), a);
  assert.equal(asked, 3);
  // A value frozen only at its top may still change below: never remembered.
  const shallow = Object.freeze({ k: ["v"] });
  assert.equal(values.intern(shallow), a);
  shallow.k[0] = "w";
  const w = values.intern(shallow);
  assert.notEqual(w, a);
  assert.deepEqual(w, { k: ["w"] });
  // Unfrozen values are serialised every time, as before.
  const open = { k: ["v"] };
  assert.equal(values.intern(open), a);
  open.k.push("x");
  assert.deepEqual(values.intern(open), { k: ["v", "x"] });
});

Deno.test("StringInterner keeps two generations of at most limit strings; a string seen again moves to the current one", () => {
  const strings = new StringInterner(2);
  for (const s of ["hot", "a"]) assert.equal(strings.intern(s), s);
  assert.equal(strings.size, 2);
  strings.intern("b"); // full: {hot, a} becomes the older generation
  assert.equal(strings.intern("hot"), "hot"); // moves to {b, hot}
  assert.equal(strings.size, 3); // a, b, hot
  strings.intern("c"); // full: {b, hot} older, a dropped
  assert.equal(strings.size, 3); // b, hot, c
  strings.intern("d");
  strings.intern("e"); // full: {c, d} older, b and hot dropped
  assert.equal(strings.size, 3);
  for (let i = 0; i < 1000; i++) strings.intern(`once-${i}`);
  assert.ok(strings.size <= 4, `${strings.size} strings kept`);
});

Deno.test("toHex writes two lower-case digits per byte; digestHex hashes UTF-8 text", async () => {
  assert.equal(toHex(new Uint8Array([0, 10, 255])), "000aff");
  assert.equal(toHex(new Uint8Array([1, 2]).buffer), "0102");
  assert.equal(
    await digestHex("SHA-256", "abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    await digestHex("SHA-256", new TextEncoder().encode("abc")),
    await digestHex("SHA-256", "abc"),
  );
});

Deno.test("randomSerialHex: 16 bytes, a positive INTEGER with no leading zero byte, random", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const serial = randomSerialHex();
    assert.match(serial, /^[0-9a-f]{32}$/);
    const first = parseInt(serial.slice(0, 2), 16);
    assert.ok(first >= 1 && first <= 0x7f, serial);
    seen.add(serial);
  }
  assert.equal(seen.size, 2000);
});

Deno.test("RecentWeakMap remembers up to limit entries, then starts over", () => {
  const memo = new RecentWeakMap<object, number>(3);
  const keys = [{}, {}, {}, {}];
  keys.slice(0, 3).forEach((k, i) => memo.set(k, i));
  assert.deepEqual(keys.map((k) => memo.get(k)), [0, 1, 2, undefined]);
  memo.set(keys[0], 10); // a fourth entry made: a new table
  assert.deepEqual(keys.map((k) => memo.get(k)), [
    10,
    undefined,
    undefined,
    undefined,
  ]);
  memo.set(keys[3], 3);
  assert.deepEqual(keys.map((k) => memo.get(k)), [10, undefined, undefined, 3]);
});

Deno.test("ClusterMap keeps each cluster's values apart, counts them all, and drops a cluster's map once empty", () => {
  const values = new ClusterMap<{ v: number }>();
  values.set("a", "default/x", { v: 1 });
  values.set("b", "default/x", { v: 2 });
  values.set("", "x", { v: 3 });
  assert.equal(values.size, 3);
  // Replacing a value does not count it twice.
  const again = { v: 4 };
  values.set("a", "default/x", again);
  assert.equal(values.size, 3);
  assert.equal(values.get("a", "default/x"), again);
  assert.ok(values.has("b", "default/x"));
  assert.ok(!values.has("c", "default/x"));
  assert.equal(values.get("c", "default/x"), undefined);
  assert.deepEqual(
    [...values.entries()].map(([c, k, { v }]) => `${c}|${k}=${v}`),
    ["a|default/x=4", "b|default/x=2", "|x=3"],
  );
  assert.deepEqual([...values.values()].map(({ v }) => v), [4, 2, 3]);
  assert.ok(values.delete("a", "default/x"));
  assert.ok(!values.delete("a", "default/x"), "already gone");
  assert.ok(!values.delete("nowhere", "x"));
  assert.equal(values.size, 2);
  // A cluster emptied and filled again starts a map of its own.
  values.set("a", "y", { v: 5 });
  assert.deepEqual([...values.entries()].map(([c, k]) => `${c}|${k}`), [
    "b|default/x",
    "|x",
    "a|y",
  ]);
});
