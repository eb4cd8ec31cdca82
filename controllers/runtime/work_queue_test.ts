import assert from "node:assert/strict";
import { runWorkers, WorkQueue } from "./work_queue.ts";
import { ExponentialBackoff, MaxOf, TokenBucket } from "./rate_limiter.ts";

Deno.test("an item added twice before it is taken is handed out once", async () => {
  const q = new WorkQueue();
  q.add("a");
  q.add("a");
  q.add("b");
  assert.equal(q.length, 2);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
  q.done("a");
  q.done("b");
  await q.shutDown();
});

Deno.test("an item added while processed is queued again after done", async () => {
  const q = new WorkQueue();
  q.add("a");
  const a = await q.get();
  q.add("a");
  assert.equal(q.length, 0);
  q.done(a!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), "a");
  q.done("a");
  await q.shutDown();
});

Deno.test("shutting down wakes waiting workers with undefined and drops delayed adds", async () => {
  const q = new WorkQueue();
  const waiting = q.get();
  q.addAfter("late", 60_000);
  await q.shutDown();
  assert.equal(await waiting, undefined);
  q.add("x");
  assert.equal(await q.get(), undefined);
});

Deno.test("shutdown with drain waits for items being processed", async () => {
  const q = new WorkQueue();
  q.add("a");
  const item = await q.get();
  let drained = false;
  const p = q.shutDown(true).then(() => drained = true);
  await Promise.resolve();
  assert.equal(drained, false);
  q.done(item!);
  await p;
  assert.equal(drained, true);
});

Deno.test("exponential backoff doubles from 5 ms and caps at 1000 s", () => {
  const b = new ExponentialBackoff();
  assert.deepEqual([b.when("x"), b.when("x"), b.when("x")], [5, 10, 20]);
  for (let i = 0; i < 40; i++) b.when("x");
  assert.equal(b.when("x"), 1_000_000);
  assert.equal(b.numRequeues("x"), 44);
  b.forget("x");
  assert.equal(b.when("x"), 5);
  assert.equal(b.when("y"), 5);
});

Deno.test("the token bucket allows a burst then spaces retries at qps", () => {
  let now = 0;
  const bucket = new TokenBucket(10, 2, () => now);
  assert.equal(bucket.when("a"), 0);
  assert.equal(bucket.when("b"), 0);
  assert.equal(bucket.when("c"), 100);
  now = 1000;
  assert.equal(bucket.when("d"), 0);
  const both = new MaxOf([new ExponentialBackoff(), bucket]);
  assert.equal(both.when("e"), 5);
});

Deno.test("workers retry a failing item with backoff until it succeeds", async () => {
  const q = new WorkQueue(new ExponentialBackoff(1, 10));
  let calls = 0;
  const errors: unknown[] = [];
  const run = runWorkers(q, 2, async (item) => {
    assert.equal(item, "k");
    calls++;
    if (calls < 3) throw new Error("not yet");
    await q.shutDown();
  }, (_i, e) => errors.push(e));
  q.add("k");
  await run;
  assert.equal(calls, 3);
  assert.equal(errors.length, 2);
});
