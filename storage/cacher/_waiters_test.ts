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
