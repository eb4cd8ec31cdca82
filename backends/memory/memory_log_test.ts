import assert from "node:assert/strict";
import { isStorageError } from "../../storage/errors.ts";
import type { LogEvent } from "../../storage/log/log.ts";
import { MemoryLog } from "./memory_log.ts";

const P = "/registry/things/clusters/root/";

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err) => isStorageError(err) && err.code === code);
}

Deno.test("every write gets the next revision of the whole log", async () => {
  const log = new MemoryLog();
  assert.equal(await log.currentRevision(), 1, "an empty log is at 1");
  assert.equal(await log.create(P + "a", "1"), 2);
  assert.equal(await log.create(P + "b", "2"), 3);
  assert.equal(await log.update(P + "a", "3", 2), 4);
  assert.equal(await log.delete(P + "b", 3), 5);
  assert.equal(await log.currentRevision(), 5);
  const rec = await log.get(P + "a");
  assert.deepEqual(rec, {
    key: P + "a",
    value: "3",
    createRevision: 2,
    modRevision: 4,
  });
});

Deno.test("conditional writes fail with typed errors", async () => {
  const log = new MemoryLog();
  await log.create(P + "a", "1");
  await rejectsWith(log.create(P + "a", "x"), "KeyExists");
  await rejectsWith(log.update(P + "a", "x", 7), "Conflict");
  await rejectsWith(log.delete(P + "a", 7), "Conflict");
  await rejectsWith(log.update(P + "zz", "x", 1), "NotFound");
  await rejectsWith(log.delete(P + "zz", 1), "NotFound");
  assert.equal(await log.currentRevision(), 2, "failed writes use no revision");
  await log.delete(P + "a", 2);
  assert.equal(
    await log.create(P + "a", "again"),
    4,
    "a deleted key can be created again",
  );
  assert.equal((await log.get(P + "a"))?.createRevision, 4);
});

Deno.test("reads at an older revision see the state of that revision", async () => {
  const log = new MemoryLog();
  const r1 = await log.create(P + "a", "a1");
  const r2 = await log.create(P + "b", "b1");
  const r3 = await log.update(P + "a", "a2", r1);
  const r4 = await log.delete(P + "b", r2);
  assert.equal((await log.get(P + "a", r2))?.value, "a1");
  assert.equal((await log.get(P + "b", r3))?.value, "b1");
  assert.equal(await log.get(P + "b", r4), undefined);
  const at2 = await log.list(P, { atRevision: r2 });
  assert.deepEqual(at2.records.map((r) => r.value), ["a1", "b1"]);
  assert.equal(at2.revision, r2);
  const latest = await log.list(P);
  assert.deepEqual(latest.records.map((r) => r.value), ["a2"]);
  assert.equal(latest.revision, r4);
  await rejectsWith(log.get(P + "a", r4 + 1), "TooLargeResourceVersion");
  await rejectsWith(
    log.list(P, { atRevision: r4 + 5 }),
    "TooLargeResourceVersion",
  );
});

Deno.test("list walks keys in order within the prefix, from startKey, up to limit", async () => {
  const log = new MemoryLog();
  for (const name of ["c", "a", "b/x", "b", "d"]) {
    await log.create(P + name, name);
  }
  await log.create("/registry/things/clusters/rooty/a", "outside");
  await log.create("/registry/other/clusters/root/a", "outside");
  const all = await log.list(P);
  assert.deepEqual(all.records.map((r) => r.value), [
    "a",
    "b",
    "b/x",
    "c",
    "d",
  ]);
  assert.equal(all.more, false);
  const page = await log.list(P, { startKey: P + "b\u0000", limit: 2 });
  assert.deepEqual(page.records.map((r) => r.value), ["b/x", "c"]);
  assert.equal(page.more, true);
  const last = await log.list(P, { startKey: P + "d", limit: 1 });
  assert.deepEqual(last.records.map((r) => r.value), ["d"]);
  assert.equal(last.more, false);
});

Deno.test("list stays ordered for 10k keys inserted in random order", async () => {
  const log = new MemoryLog();
  const names = Array.from({ length: 10_000 }, (_, i) => `k${i}`);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  for (const n of names) await log.create(P + n, n);
  const res = await log.list(P);
  const keys = res.records.map((r) => r.key);
  assert.equal(keys.length, 10_000);
  assert.deepEqual(keys, [...keys].sort());
  assert.deepEqual(await log.count(P), {
    count: 10_000,
    bytes: names.join("").length,
  });
});

Deno.test("changes lists events after a revision under a prefix, with previous values", async () => {
  const log = new MemoryLog();
  const r1 = await log.create(P + "a", "a1");
  await log.create("/registry/other/x", "o");
  const r3 = await log.update(P + "a", "a2", r1);
  const r4 = await log.delete(P + "a", r3);
  const evs = await log.changes(P, 0);
  assert.deepEqual(evs, [
    { type: "create", key: P + "a", revision: r1, value: "a1" },
    {
      type: "update",
      key: P + "a",
      revision: r3,
      value: "a2",
      prevValue: "a1",
      prevRevision: r1,
    },
    {
      type: "delete",
      key: P + "a",
      revision: r4,
      value: "a2",
      prevValue: "a2",
      prevRevision: r3,
    },
  ]);
  assert.deepEqual((await log.changes(P, r1, 1)).map((e) => e.revision), [r3]);
  assert.deepEqual(await log.changes(P, r4), []);
  assert.deepEqual(
    await log.changes(P, r4 + 100),
    [],
    "a future revision has no changes yet",
  );
});

Deno.test("compaction drops history below the revision but keeps the state at it", async () => {
  const log = new MemoryLog();
  const r1 = await log.create(P + "a", "a1");
  const r2 = await log.create(P + "b", "b1");
  const r3 = await log.update(P + "a", "a2", r1);
  const r4 = await log.delete(P + "b", r2);
  const r5 = await log.update(P + "a", "a3", r3);
  await log.compact(r4);
  assert.equal(await log.compactedRevision(), r4);
  await rejectsWith(log.get(P + "a", r3), "Expired");
  await rejectsWith(log.list(P, { atRevision: r2 }), "Expired");
  await rejectsWith(log.changes(P, r3), "Expired");
  assert.equal((await log.get(P + "a", r4))?.value, "a2");
  assert.equal(await log.get(P + "b", r4), undefined);
  assert.deepEqual((await log.changes(P, r4)).map((e) => e.revision), [r5]);
  assert.deepEqual((await log.list(P)).records.map((r) => r.value), ["a3"]);
  await log.compact(r2); // older than the last compaction: nothing to do
  assert.equal(await log.compactedRevision(), r4);
  await rejectsWith(log.compact(r5 + 10), "TooLargeResourceVersion");
});

Deno.test("subscribers get every commit in order until they unsubscribe", async () => {
  const log = new MemoryLog();
  const seen: LogEvent[] = [];
  const stop = log.subscribe((evs) => seen.push(...evs));
  const r1 = await log.create(P + "a", "1");
  const r2 = await log.update(P + "a", "2", r1);
  await assert.rejects(log.update(P + "a", "x", r1));
  stop();
  await log.delete(P + "a", r2);
  assert.deepEqual(seen.map((e) => `${e.type}@${e.revision}`), [
    `create@${r1}`,
    `update@${r2}`,
  ]);
});

Deno.test("a closed log is unavailable", async () => {
  const log = new MemoryLog();
  await log.ready();
  await log.close();
  await rejectsWith(log.ready(), "Unavailable");
  await rejectsWith(log.create(P + "a", "1"), "Unavailable");
  await rejectsWith(log.list(P), "Unavailable");
});
