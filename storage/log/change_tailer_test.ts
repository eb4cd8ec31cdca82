import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { isStorageError, type StorageError } from "../errors.ts";
import type { LogEvent } from "./log.ts";
import { ChangeTailer, type ChangeTailerOptions } from "./change_tailer.ts";

function tailer(
  opts: Partial<ChangeTailerOptions> & Pick<ChangeTailerOptions, "fetch">,
): ChangeTailer {
  return new ChangeTailer({
    name: "test",
    deliver: () => {},
    lost: () => assert.fail("nothing was lost"),
    startAfter: 5,
    pollIntervalMs: 60_000,
    logger: silentLogger,
    ...opts,
  });
}

Deno.test("a tail that finds its history gone reports it lost as Expired", async () => {
  const lost = Promise.withResolvers<StorageError>();
  const delivered: LogEvent[][] = [];
  const t = tailer({
    fetch: () => Promise.resolve({ events: [], horizon: 10 }),
    deliver: (events) => delivered.push(events),
    lost: (err) => lost.resolve(err),
  });
  try {
    t.kick();
    const err = await lost.promise;
    assert.ok(isStorageError(err, "Expired"));
    await t.caughtUp(10, 5_000);
    assert.equal(t.lastRevision, 10);
    assert.deepEqual(delivered, []);
  } finally {
    await t.close();
  }
});

Deno.test("a tail delivers changes in order and advances", async () => {
  const batches = [
    { events: [ev(6), ev(7)], horizon: 0 },
    { events: [], horizon: 0 },
  ];
  const got = Promise.withResolvers<LogEvent[]>();
  const t = tailer({
    fetch: () => Promise.resolve(batches.shift() ?? { events: [], horizon: 0 }),
    deliver: (events) => got.resolve(events),
  });
  try {
    t.kick();
    assert.deepEqual((await got.promise).map((e) => e.revision), [6, 7]);
    assert.equal(t.lastRevision, 7);
  } finally {
    await t.close();
  }
});

Deno.test("a tail reads on until a short batch", async () => {
  const afters: number[] = [];
  const delivered: number[] = [];
  const t = tailer({
    batchSize: 2,
    fetch: (after) => {
      afters.push(after);
      const events = [ev(after + 1), ev(after + 2)].filter((e) =>
        e.revision <= 10
      );
      return Promise.resolve({ events, horizon: 0 });
    },
    deliver: (events) => delivered.push(...events.map((e) => e.revision)),
  });
  try {
    await t.caughtUp(10, 5_000);
    assert.deepEqual(delivered, [6, 7, 8, 9, 10]);
    assert.deepEqual(afters, [5, 7, 9]);
  } finally {
    await t.close();
  }
});

Deno.test("an offered change waits for the read that fills the gap before it", async () => {
  const delivered: number[] = [];
  let fetches = 0;
  const t = tailer({
    fetch: () => {
      fetches++;
      return Promise.resolve({ events: [ev(6)], horizon: 0 });
    },
    deliver: (events) => delivered.push(...events.map((e) => e.revision)),
  });
  try {
    // Next in line: delivered at once, no read.
    t.offer([ev(6)]);
    assert.deepEqual(delivered, [6]);
    assert.equal(fetches, 0);
    // A gap (8 before 7): kept, and a read is asked for.
    t.offer([ev(8)]);
    assert.deepEqual(delivered, [6]);
    t.offer([ev(7)]);
    assert.deepEqual(delivered, [6, 7, 8]);
    await t.caughtUp(8, 5_000);
    assert.equal(t.lastRevision, 8);
    // Whatever the kicked read returns that is already delivered is dropped.
    await t.close();
    assert.deepEqual(delivered, [6, 7, 8]);
  } finally {
    await t.close();
  }
});

Deno.test("a failing read is retried and a later round catches up", async () => {
  let calls = 0;
  const delivered: number[] = [];
  const t = tailer({
    fetch: () => {
      calls++;
      if (calls === 1) return Promise.reject(new Error("connection reset"));
      return Promise.resolve({
        events: calls === 2 ? [ev(6)] : [],
        horizon: 0,
      });
    },
    deliver: (events) => delivered.push(...events.map((e) => e.revision)),
  });
  try {
    t.kick();
    await t.caughtUp(6, 5_000);
    assert.deepEqual(delivered, [6]);
    assert.ok(calls >= 2);
  } finally {
    await t.close();
  }
});

function ev(revision: number): LogEvent {
  return {
    type: "create",
    key: `/registry/x/clusters/root/k${revision}`,
    revision,
    value: "{}",
  };
}
