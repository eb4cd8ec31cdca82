import assert from "node:assert/strict";
import { nextTurn, TimeSlice } from "./turns.ts";

Deno.test("nextTurn lets a due timer run; microtasks alone do not", async () => {
  let fired = false;
  setTimeout(() => fired = true, 0);
  await Promise.resolve();
  assert.equal(fired, false);
  await nextTurn();
  await nextTurn();
  assert.equal(fired, true);
});

Deno.test("a TimeSlice is due once it has lasted its length, and pause starts a new one", async () => {
  const slice = new TimeSlice(20);
  assert.equal(slice.due, false);
  const until = performance.now() + 25;
  while (performance.now() < until) { /* work */ }
  assert.equal(slice.due, true);
  await slice.pause();
  assert.equal(slice.due, false);
  while (!slice.due) { /* work */ }
  slice.restart();
  assert.equal(slice.due, false);
});
