import assert from "node:assert/strict";
import { FairPool } from "./fair_pool.ts";

Deno.test("requests run at once up to the limit, then wait", async () => {
  const pool = new FairPool({ limit: 2 });
  const a = await pool.acquire("a");
  const b = await pool.acquire("a");
  assert.equal(pool.running, 2);
  let third = false;
  const c = pool.acquire("a").then((r) => {
    third = true;
    return r;
  });
  await Promise.resolve();
  assert.equal(third, false);
  assert.equal(pool.waiting, 1);
  a();
  (await c)();
  b();
  assert.equal(pool.running, 0);
  assert.equal(pool.waiting, 0);
});

Deno.test("a freed seat goes to the next flow, not to the flow that floods", async () => {
  const pool = new FairPool({ limit: 1, queueLength: 1000 });
  const first = await pool.acquire("flood");
  const order: string[] = [];
  const waits: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) {
    waits.push(
      pool.acquire("flood").then((release) => {
        order.push("flood");
        release();
      }),
    );
  }
  waits.push(
    pool.acquire("quiet").then((release) => {
      order.push("quiet");
      release();
    }),
  );
  first();
  await Promise.all(waits);
  // The quiet flow waited for one flood request at most.
  assert.ok(order.indexOf("quiet") <= 1, order.join(","));
  assert.equal(pool.running, 0);
});

Deno.test("a full queue and a long wait are rejections, and leave nothing behind", async () => {
  const pool = new FairPool({ limit: 1, queueLength: 1, queueWaitMs: 20 });
  const held = await pool.acquire("a");
  const waiting = pool.acquire("a");
  await assert.rejects(pool.acquire("a"), (e) => e === "queue-full");
  await assert.rejects(waiting, (e) => e === "time-out");
  assert.equal(pool.waiting, 0);
  const ac = new AbortController();
  const cancelled = pool.acquire("b", ac.signal);
  ac.abort();
  await assert.rejects(cancelled, (e) => e === "cancelled");
  held();
  assert.equal(pool.running, 0);
  // Releasing twice gives back one seat only.
  const r = await pool.acquire("c");
  r();
  r();
  assert.equal(pool.running, 0);
});
