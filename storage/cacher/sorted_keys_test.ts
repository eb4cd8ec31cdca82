import assert from "node:assert/strict";
import { SortedKeys } from "./sorted_keys.ts";

function model(keys: Set<string>, start: string, end: string): string[] {
  return [...keys].filter((k) => k >= start && (end === "" || k < end)).sort();
}

Deno.test("sorted keys scan and count agree with a sorted array under random inserts and deletes", () => {
  const set = new SortedKeys();
  const ref = new Set<string>();
  let seed = 7;
  const rand = (n: number) =>
    (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < 20_000; i++) {
    const k = `/r/ns${rand(7)}/obj-${rand(3000)}`;
    if (rand(3) === 0) assert.equal(set.delete(k), ref.delete(k));
    else {
      assert.equal(set.insert(k), !ref.has(k));
      ref.add(k);
    }
  }
  assert.equal(set.size, ref.size);
  for (
    const [start, end] of [["/r/ns3/", "/r/ns30"], ["", ""], [
      "/r/ns0/obj-5",
      "/r/ns1/",
    ], ["/z", ""]]
  ) {
    assert.deepEqual([...set.scan(start, end)], model(ref, start, end));
    assert.equal(set.countRange(start, end), model(ref, start, end).length);
  }
  for (const k of [...ref].slice(0, 50)) assert.ok(set.has(k));
  assert.ok(!set.has("/r/missing"));
});

Deno.test("sorted keys ignore duplicate inserts and deletes of missing keys", () => {
  const set = new SortedKeys();
  assert.equal(set.insert("/a"), true);
  assert.equal(set.insert("/a"), false);
  assert.equal(set.delete("/b"), false);
  assert.equal(set.delete("/a"), true);
  assert.equal(set.size, 0);
  assert.deepEqual([...set.scan("", "")], []);
  assert.equal(set.countRange("", ""), 0);
});
