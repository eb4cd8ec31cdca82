import assert from "node:assert/strict";
import { Deadlines } from "./_deadlines.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a deadline expires once, a cleared or moved one does not expire early", async () => {
  const deadlines = new Deadlines(40); // tick 10 ms
  assert.equal(deadlines.tickMs, 10);
  const expired: string[] = [];
  const a = { expire: () => expired.push("a") };
  const b = { expire: () => expired.push("b") };
  const c = { expire: () => expired.push("c") };
  deadlines.set(a, 20);
  deadlines.set(b, 20);
  deadlines.set(c, 20);
  deadlines.clear(b);
  deadlines.set(c, 10_000); // moved far away
  await sleep(80);
  assert.deepEqual(expired, ["a"]);
  assert.equal(deadlines.size, 1);
  deadlines.clear(c); // the last one: the interval stops (no timer leaks)
  assert.equal(deadlines.size, 0);
});

Deno.test("the tick is a quarter of the shortest timeout, within 10 ms–1 s", () => {
  assert.equal(new Deadlines(30_000).tickMs, 1_000);
  assert.equal(new Deadlines(300).tickMs, 75);
  assert.equal(new Deadlines(1).tickMs, 10);
});
