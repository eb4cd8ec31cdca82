/** The collection pacer collects once the heap tripled, and only then, until the start is over. */

import assert from "node:assert/strict";
import { GcPacer, startGcPacer } from "./gc_pacer.ts";

const MiB = 1048576;

Deno.test("GcPacer: due above factor × the lowest heap used since the last collection, and above the floor", () => {
  const pacer = new GcPacer(3, 256 * MiB);
  assert.equal(pacer.due(100 * MiB), false);
  assert.equal(pacer.due(250 * MiB), false); // 2.5× the lowest
  assert.equal(pacer.due(80 * MiB), false); // V8 collected: a new low
  assert.equal(pacer.due(250 * MiB), false); // > 3× 80 MiB, under the floor
  assert.equal(pacer.due(300 * MiB), true);
  pacer.collected(200 * MiB);
  assert.equal(pacer.due(590 * MiB), false);
  assert.equal(pacer.due(610 * MiB), true);
  pacer.collected(400 * MiB); // live grew: the next bound is 1.2 GiB
  assert.equal(pacer.due(1000 * MiB), false);
});

Deno.test("startGcPacer collects on the look that finds the heap past its bound, and says what it did", () => {
  let heap = 300 * MiB;
  let gcs = 0;
  const logged: Record<string, unknown>[] = [];
  using pacer = startGcPacer({
    intervalMs: 3_600_000, // looks by tick() only
    quietWindowMs: 3_600_000,
    heapUsed: () => heap,
    gc: () => {
      gcs++;
      heap = 120 * MiB;
    },
    logger: { debug: (_m, f) => logged.push(f ?? {}), info: () => {} },
  });
  assert.equal(pacer.active, true);
  assert.equal(pacer.tick(), false); // the first look: its own low
  heap = 950 * MiB;
  assert.equal(pacer.tick(), true);
  assert.equal(gcs, 1);
  assert.equal(pacer.collections, 1);
  assert.deepEqual(
    { before: logged[0].heapUsedMiB, after: logged[0].heapUsedAfterMiB },
    { before: 950, after: 120 },
  );
  heap = 350 * MiB; // under 3× 120 MiB
  assert.equal(pacer.tick(), false);
  assert.equal(gcs, 1);
});

Deno.test("startGcPacer without a full collection says why and does nothing", () => {
  const infos: unknown[] = [];
  using pacer = startGcPacer({
    gc: { unavailable: "no gc() here" },
    heapUsed: () => 10_000 * MiB,
    logger: { debug: () => {}, info: (_m, f) => infos.push(f) },
  });
  assert.equal(pacer.active, false);
  assert.equal(pacer.tick(), false);
  assert.deepEqual(infos, [{ reason: "no gc() here" }]);
});

Deno.test("startGcPacer ends at the first quiet window, not during busy ones", async () => {
  let cpu = 0;
  let gcs = 0;
  using pacer = startGcPacer({
    intervalMs: 3_600_000,
    quietWindowMs: 5,
    cpuMs: () => cpu,
    heapUsed: () => 300 * MiB,
    gc: () => gcs++,
  });
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 10));
    cpu += 10; // a whole core: busy
    pacer.tick();
    assert.equal(pacer.active, true);
  }
  await new Promise((r) => setTimeout(r, 10)); // no CPU used: quiet
  assert.equal(pacer.tick(), false);
  assert.equal(pacer.active, false);
  assert.equal(pacer.tick(), false);
  assert.equal(gcs, 0);
});

Deno.test("startGcPacer ends when until settles", async () => {
  let done!: () => void;
  const until = new Promise<void>((r) => done = r);
  let gcs = 0;
  using pacer = startGcPacer({
    intervalMs: 3_600_000,
    quietWindowMs: 3_600_000,
    until,
    heapUsed: () => 300 * MiB,
    gc: () => gcs++,
  });
  assert.equal(pacer.active, true);
  done();
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(pacer.active, false);
  assert.equal(pacer.tick(), false);
  assert.equal(gcs, 0);
});
