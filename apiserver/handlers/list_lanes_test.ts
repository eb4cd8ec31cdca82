import assert from "node:assert/strict";
import { BIG_LIST_ITEMS, ListLanes } from "./list_lanes.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("a key never listed and small lists take no lane", async () => {
  const lanes = new ListLanes(1);
  const first = await lanes.enter("/a");
  first.release(BIG_LIST_ITEMS + 1); // /a is big from now on
  const big = await lanes.enter("/a");
  const other = await lanes.enter("/b"); // never listed: no wait
  other.release(3);
  const small = await lanes.enter("/b"); // small: no wait
  small.release(3);
  big.release(BIG_LIST_ITEMS + 1);
});

Deno.test("big lists wait for a free lane, in order", async () => {
  const lanes = new ListLanes(1);
  (await lanes.enter("/a")).release(BIG_LIST_ITEMS + 1);
  const one = await lanes.enter("/a");
  const order: string[] = [];
  const two = lanes.enter("/a").then((l) => (order.push("two"), l));
  const three = lanes.enter("/a").then((l) => (order.push("three"), l));
  await tick();
  assert.deepEqual(order, []);
  one.release(BIG_LIST_ITEMS + 1);
  one.release(); // idempotent: frees one lane only
  (await two).release(BIG_LIST_ITEMS + 1);
  (await three).release(BIG_LIST_ITEMS + 1);
  assert.deepEqual(order, ["two", "three"]);
});

Deno.test("a list that became small takes no lane next time", async () => {
  const lanes = new ListLanes(1);
  (await lanes.enter("/a")).release(BIG_LIST_ITEMS + 1);
  const held = await lanes.enter("/a");
  held.release(10);
  const next = await lanes.enter("/a");
  next.release(10);
});
