import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { isStorageError, type StorageError } from "../../storage/mod.ts";
import type { LogEvent } from "../../storage/log/log.ts";
import { ChangeTailer } from "./_tailer.ts";

Deno.test("a tail that finds its changes purged reports them lost as Expired", async () => {
  const lost = Promise.withResolvers<StorageError>();
  const delivered: LogEvent[][] = [];
  const tailer = new ChangeTailer({
    fetch: () => Promise.resolve({ events: [], purged: 10 }),
    deliver: (events) => delivered.push(events),
    lost: (err) => lost.resolve(err),
    startAfter: 5,
    pollIntervalMs: 60_000,
    logger: silentLogger,
  });
  try {
    tailer.kick();
    const err = await lost.promise;
    assert.ok(isStorageError(err, "Expired"));
    assert.equal(tailer.lastRevision, 10);
    assert.deepEqual(delivered, []);
  } finally {
    await tailer.close();
  }
});

Deno.test("a tail delivers changes in order and advances", async () => {
  const batches = [
    { events: [ev(6), ev(7)], purged: 0 },
    { events: [], purged: 0 },
  ];
  const got = Promise.withResolvers<LogEvent[]>();
  const tailer = new ChangeTailer({
    fetch: () => Promise.resolve(batches.shift() ?? { events: [], purged: 0 }),
    deliver: (events) => got.resolve(events),
    lost: () => assert.fail("nothing was lost"),
    startAfter: 5,
    pollIntervalMs: 60_000,
    logger: silentLogger,
  });
  try {
    tailer.kick();
    assert.deepEqual((await got.promise).map((e) => e.revision), [6, 7]);
    assert.equal(tailer.lastRevision, 7);
  } finally {
    await tailer.close();
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
