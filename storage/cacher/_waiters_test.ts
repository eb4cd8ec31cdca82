import assert from "node:assert/strict";
import { Waiters } from "./_waiters.ts";

Deno.test("a waiter resolves true once woken at or past its revision", async () => {
  const w = new Waiters();
  const five = w.wait(5, 10_000);
  w.wake(4);
  assert.equal(w.size, 1);
  w.wake(5);
  assert.equal(await five, true);
  assert.equal(w.size, 0);
});

Deno.test("waiters expire after their own timeout behind one timer", async () => {
  const w = new Waiters();
  const late = w.wait(9, 10_000);
  const soon = w.wait(9, 5);
  assert.equal(await soon, false);
  assert.equal(w.size, 1);
  w.wake(9);
  assert.equal(await late, true);
});

Deno.test("releaseAll resolves every waiter with false and stops the timer", async () => {
  const w = new Waiters();
  const a = w.wait(1, 10_000);
  const b = w.wait(2, 10_000);
  w.releaseAll();
  assert.deepEqual(await Promise.all([a, b]), [false, false]);
  assert.equal(w.size, 0);
});

Deno.test("a waiter whose signal aborts resolves false at once and is forgotten", async () => {
  const w = new Waiters();
  const stop = new AbortController();
  const stopped = w.wait(3, 600_000, stop.signal);
  const other = w.wait(3, 600_000);
  stop.abort();
  assert.equal(await stopped, false);
  assert.equal(w.size, 1);
  w.wake(3);
  assert.equal(await other, true);
  assert.equal(w.size, 0);
  assert.equal(await w.wait(1, 600_000, stop.signal), false, "aborted before");
  assert.equal(w.size, 0);
  // A waiter woken before its signal aborts stays true.
  const later = new AbortController();
  const woken = w.wait(4, 600_000, later.signal);
  w.wake(4);
  later.abort();
  assert.equal(await woken, true);
});
