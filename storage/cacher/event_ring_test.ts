import assert from "node:assert/strict";
import { EventRing } from "./event_ring.ts";

const revs = (items: { revision: number }[]) => items.map((i) => i.revision);

Deno.test("the ring keeps the newest items and raises its floor as it drops old ones", () => {
  const ring = new EventRing<{ revision: number }>(3, 10);
  assert.deepEqual(revs(ring.since(10)), []);
  for (let r = 11; r <= 15; r++) ring.push({ revision: r });
  assert.equal(ring.length, 3);
  assert.equal(ring.floor, 12);
  assert.deepEqual(revs(ring.since(12)), [13, 14, 15]);
  assert.deepEqual(revs(ring.since(14)), [15]);
  assert.deepEqual(revs(ring.since(15)), []);
});

Deno.test("the ring finds items after a revision that falls between two events", () => {
  const ring = new EventRing<{ revision: number }>(100, 0);
  for (const r of [2, 5, 9, 20]) ring.push({ revision: r });
  assert.deepEqual(revs(ring.since(6)), [9, 20]);
  assert.deepEqual(revs(ring.since(0)), [2, 5, 9, 20]);
});

Deno.test("compaction drops items up to a revision and reset empties the ring", () => {
  const ring = new EventRing<{ revision: number }>(4, 0);
  for (let r = 1; r <= 6; r++) ring.push({ revision: r });
  ring.dropThrough(4);
  assert.equal(ring.floor, 4);
  assert.deepEqual(revs(ring.since(4)), [5, 6]);
  for (let r = 7; r <= 12; r++) ring.push({ revision: r });
  assert.deepEqual(revs(ring.since(ring.floor)), [9, 10, 11, 12]);
  ring.reset(40);
  assert.equal(ring.length, 0);
  assert.equal(ring.floor, 40);
});

Deno.test("a ring with a capacity below one is rejected", () => {
  assert.throws(() => new EventRing(0, 0), RangeError);
});

Deno.test("items that aged out are dropped from the oldest and raise the floor", () => {
  const ring = new EventRing<{ revision: number; at: number }>(10, 0);
  for (const [revision, at] of [[3, 1], [4, 2], [7, 5], [8, 9]]) {
    ring.push({ revision, at });
  }
  ring.dropWhile((i) => i.at < 5);
  assert.equal(ring.floor, 4);
  assert.deepEqual(revs(ring.since(4)), [7, 8]);
  ring.dropWhile(() => true);
  assert.equal(ring.length, 0);
  assert.equal(ring.floor, 8);
  ring.push({ revision: 9, at: 10 });
  assert.deepEqual(revs(ring.since(8)), [9]);
});

Deno.test("several items of one revision (a DeleteRange) are kept and served together", () => {
  const ring = new EventRing<{ revision: number; key: string }>(4, 4);
  for (const key of ["a", "b", "c"]) ring.push({ revision: 5, key });
  ring.push({ revision: 6, key: "d" });
  assert.deepEqual(ring.since(4).map((i) => i.key), ["a", "b", "c", "d"]);
  assert.deepEqual(ring.since(5).map((i) => i.key), ["d"]);
  // Dropping one of the group raises the floor to its revision: a watch
  // from 5 is still served whole, one from 4 no longer.
  ring.push({ revision: 7, key: "e" });
  assert.equal(ring.floor, 5);
  assert.deepEqual(ring.since(5).map((i) => i.key), ["d", "e"]);
});
