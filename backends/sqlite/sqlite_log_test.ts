import assert from "node:assert/strict";
import { isStorageError } from "../../storage/mod.ts";
import type { LogEvent } from "../../storage/log/log.ts";
import {
  CM_PREFIX,
  cmKey,
  openLog,
  tempDir,
} from "../../tests/support/sqlite_log_fixtures.ts";

function rejectsWith(code: string) {
  return (err: unknown) => {
    assert.ok(isStorageError(err), `expected StorageError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return true;
  };
}

Deno.test("sqlite log creates, updates and deletes with growing revisions", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const r0 = await log.currentRevision();
    assert.equal(r0, 1, "a new database starts at revision 1, as etcd");
    const r1 = await log.create(cmKey("a"), '{"v":1}');
    const r2 = await log.update(cmKey("a"), '{"v":2}', r1);
    assert.ok(r2 > r1);
    assert.deepEqual(await log.get(cmKey("a")), {
      key: cmKey("a"),
      value: '{"v":2}',
      createRevision: r1,
      modRevision: r2,
    });
    const r3 = await log.delete(cmKey("a"), r2);
    assert.ok(r3 > r2);
    assert.equal(await log.get(cmKey("a")), undefined);
    assert.equal(await log.currentRevision(), r3);
    const r4 = await log.create(cmKey("a"), '{"v":3}');
    assert.equal((await log.get(cmKey("a")))?.createRevision, r4);
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log rejects conditional writes with typed errors", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const r1 = await log.create(cmKey("a"), "{}");
    await assert.rejects(
      log.create(cmKey("a"), "{}"),
      rejectsWith("KeyExists"),
    );
    await assert.rejects(
      log.update(cmKey("a"), "{}", r1 + 7),
      rejectsWith("Conflict"),
    );
    await assert.rejects(
      log.delete(cmKey("a"), r1 + 7),
      rejectsWith("Conflict"),
    );
    await assert.rejects(
      log.update(cmKey("b"), "{}", 1),
      rejectsWith("NotFound"),
    );
    await assert.rejects(log.delete(cmKey("b"), 1), rejectsWith("NotFound"));
    assert.equal(await log.currentRevision(), r1);
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log lists live keys under a prefix in key order with paging", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    for (const n of ["c", "a", "b", "d"]) await log.create(cmKey(n), `"${n}"`);
    await log.create(cmKey("x", "other"), '"x"');
    await log.create("/registry/configmapsx/clusters/root/default/z", '"z"');
    const d = await log.get(cmKey("d"));
    const rv = await log.delete(cmKey("d"), d!.modRevision);
    const all = await log.list(CM_PREFIX + "default/");
    assert.deepEqual(all.records.map((r) => r.key), [
      cmKey("a"),
      cmKey("b"),
      cmKey("c"),
    ]);
    assert.equal(all.revision, rv);
    assert.equal(all.more, false);
    const page = await log.list(CM_PREFIX, { limit: 2 });
    assert.deepEqual(page.records.map((r) => r.value), ['"a"', '"b"']);
    assert.equal(page.more, true);
    const next = await log.list(CM_PREFIX, { startKey: cmKey("c"), limit: 2 });
    assert.deepEqual(next.records.map((r) => r.value), ['"c"', '"x"']);
    assert.equal(next.more, false);
    assert.deepEqual(await log.count(CM_PREFIX), { count: 4, bytes: 12 });
    assert.equal(await log.countFrom(CM_PREFIX, cmKey("b"), 0), 3);
    assert.equal(await log.countFrom(CM_PREFIX, cmKey("b"), rv - 1), 4);
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log reads the state as of an older revision", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const r1 = await log.create(cmKey("a"), '"a1"');
    const r2 = await log.create(cmKey("b"), '"b1"');
    const r3 = await log.update(cmKey("a"), '"a2"', r1);
    const r4 = await log.delete(cmKey("b"), r2);
    assert.equal((await log.get(cmKey("a"), r2))?.value, '"a1"');
    assert.equal((await log.get(cmKey("b"), r3))?.value, '"b1"');
    assert.equal(await log.get(cmKey("b"), r4), undefined);
    const atR2 = await log.list(CM_PREFIX, { atRevision: r2 });
    assert.deepEqual(atR2.records.map((r) => [r.key, r.value, r.modRevision]), [
      [cmKey("a"), '"a1"', r1],
      [cmKey("b"), '"b1"', r2],
    ]);
    assert.equal(atR2.revision, r2);
    const paged = await log.list(CM_PREFIX, { atRevision: r3, limit: 1 });
    assert.deepEqual(paged.records.map((r) => r.value), ['"a2"']);
    assert.equal(paged.more, true);
    await assert.rejects(
      log.get(cmKey("a"), r4 + 1),
      rejectsWith("TooLargeResourceVersion"),
    );
    await assert.rejects(
      log.list(CM_PREFIX, { atRevision: r4 + 1 }),
      rejectsWith("TooLargeResourceVersion"),
    );
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log reports changes with previous values in revision order", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const r1 = await log.create(cmKey("a"), '"a1"');
    const r2 = await log.create(
      "/registry/secrets/clusters/root/default/s",
      "1",
    );
    const r3 = await log.update(cmKey("a"), '"a2"', r1);
    const r4 = await log.delete(cmKey("a"), r3);
    assert.deepEqual(await log.changes(CM_PREFIX, 0), [
      { type: "create", key: cmKey("a"), revision: r1, value: '"a1"' },
      {
        type: "update",
        key: cmKey("a"),
        revision: r3,
        value: '"a2"',
        prevValue: '"a1"',
        prevRevision: r1,
      },
      {
        type: "delete",
        key: cmKey("a"),
        revision: r4,
        value: '"a2"',
        prevValue: '"a2"',
        prevRevision: r3,
      },
    ]);
    assert.deepEqual(
      (await log.changes("/registry/", r1, 2)).map((e) => e.revision),
      [r2, r3],
    );
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log delivers commits to subscribers before the writes resolve, in order", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const seen: LogEvent[] = [];
    const stop = log.subscribe((events) => seen.push(...events));
    const r1 = await log.create(cmKey("a"), '"1"');
    assert.equal(seen.length, 1);
    const r2 = await log.update(cmKey("a"), '"2"', r1);
    await assert.rejects(log.create(cmKey("a"), '"3"'));
    stop();
    await log.create(cmKey("b"), '"b"');
    assert.deepEqual(seen.map((e) => [e.type, e.revision]), [
      ["create", r1],
      ["update", r2],
    ]);
    assert.equal(seen[1].prevValue, '"1"');
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log compaction keeps what reads at or after it need", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const a1 = await log.create(cmKey("a"), '"a1"');
    const b1 = await log.create(cmKey("b"), '"b1"');
    const a2 = await log.update(cmKey("a"), '"a2"', a1);
    const b2 = await log.delete(cmKey("b"), b1);
    const c1 = await log.create(cmKey("c"), '"c1"');
    const a3 = await log.update(cmKey("a"), '"a3"', a2);
    await log.compact(c1);
    assert.equal(await log.compactedRevision(), c1);
    await assert.rejects(log.get(cmKey("a"), b2), rejectsWith("Expired"));
    await assert.rejects(log.changes(CM_PREFIX, b2), rejectsWith("Expired"));
    assert.deepEqual(
      (await log.list(CM_PREFIX, { atRevision: c1 })).records.map((r) =>
        r.value
      ),
      ['"a2"', '"c1"'],
    );
    assert.deepEqual(await log.changes(CM_PREFIX, c1), [{
      type: "update",
      key: cmKey("a"),
      revision: a3,
      value: '"a3"',
      prevValue: '"a2"',
      prevRevision: a2,
    }]);
    // Compacting again or backwards is a no-op; the future is refused.
    await log.compact(a1);
    assert.equal(await log.compactedRevision(), c1);
    await assert.rejects(
      log.compact(a3 + 1),
      rejectsWith("TooLargeResourceVersion"),
    );
    assert.equal(log.integrityCheck(), "ok");
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log keeps data and revisions across close and reopen", async () => {
  await using dir = await tempDir();
  let log = openLog(dir.path);
  const r1 = await log.create(cmKey("a"), '"a"');
  const r2 = await log.create(cmKey("b"), '"b"');
  const r3 = await log.delete(cmKey("b"), r2);
  await log.compact(r3); // the newest row (a delete marker) is gone now
  await log.close();
  log = openLog(dir.path);
  try {
    assert.equal(await log.currentRevision(), r3);
    assert.equal(await log.compactedRevision(), r3);
    assert.deepEqual(await log.get(cmKey("a")), {
      key: cmKey("a"),
      value: '"a"',
      createRevision: r1,
      modRevision: r1,
    });
    assert.equal(await log.get(cmKey("b")), undefined);
    assert.ok(await log.create(cmKey("c"), '"c"') > r3);
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log refuses a second opener of the same file", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    await log.create(cmKey("a"), "{}");
    assert.throws(() => openLog(dir.path), (err) => {
      assert.ok(isStorageError(err, "Unavailable"));
      assert.match(err.message, /is locked by another process/);
      return true;
    });
    assert.equal((await log.get(cmKey("a")))?.value, "{}");
  } finally {
    await log.close();
  }
  // Once closed, the file can be opened again.
  const again = openLog(dir.path);
  await again.close();
});

Deno.test("sqlite log rejects bad input without writing anything", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const bad = [
      "",
      "registry/configmaps/x",
      "/etc/passwd",
      "/registry/configmaps//x",
      "/registry/configmaps/../secrets/x",
      "/registry/configmaps/./x",
      "/registry/configmaps/x/",
      "/registry/configmaps/x\u0000y",
      "/registry/configmaps/\ud800",
    ];
    for (const key of bad) {
      await assert.rejects(log.create(key, "{}"), rejectsWith("InvalidKey"));
      await assert.rejects(log.get(key), rejectsWith("InvalidKey"));
    }
    await assert.rejects(log.list("nope/"), rejectsWith("InvalidKey"));
    await assert.rejects(
      log.create(cmKey("a"), 42 as unknown as string),
      rejectsWith("InvalidArgument"),
    );
    await assert.rejects(
      log.get(cmKey("a"), -1),
      rejectsWith("InvalidArgument"),
    );
    await assert.rejects(
      log.list(CM_PREFIX, { limit: 1.5 }),
      rejectsWith("InvalidArgument"),
    );
    const r1 = await log.create(cmKey("a"), "{}");
    await assert.rejects(
      log.update(cmKey("a"), "{}", Number.NaN),
      rejectsWith("InvalidArgument"),
    );
    assert.equal(await log.currentRevision(), r1);
    assert.deepEqual(
      (await log.list("/registry/")).records.map((r) => r.key),
      [cmKey("a")],
    );
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log refuses calls after close", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  await log.close();
  await assert.rejects(log.get(cmKey("a")), rejectsWith("Unavailable"));
  await assert.rejects(log.ready(), rejectsWith("Unavailable"));
  await log.close();
});

Deno.test("sqlite log commits the writes of one turn together; each is checked and fails alone", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  try {
    const base = await log.create(cmKey("base"), '"0"');
    const calls: LogEvent[][] = [];
    log.subscribe((events) => calls.push(events));
    const results = await Promise.allSettled([
      log.create(cmKey("a"), '"a"'),
      log.create(cmKey("a"), '"again"'), // the batch's own earlier write
      log.update(cmKey("base"), '"1"', base),
      log.update(cmKey("base"), '"2"', base), // stale after the one before
      log.delete(cmKey("missing"), base),
      log.create(cmKey("b"), '"b"'),
    ]);
    const codes = results.map((r) =>
      r.status === "fulfilled" ? r.value : (r.reason as { code: string }).code
    );
    assert.deepEqual(codes, [
      base + 1,
      "KeyExists",
      base + 2,
      "Conflict",
      "NotFound",
      base + 3,
    ]);
    assert.equal(calls.length, 1, "one listener call for the batch");
    assert.deepEqual(calls[0].map((e) => [e.type, e.key, e.revision]), [
      ["create", cmKey("a"), base + 1],
      ["update", cmKey("base"), base + 2],
      ["create", cmKey("b"), base + 3],
    ]);
    assert.equal(await log.currentRevision(), base + 3);
    assert.equal((await log.get(cmKey("a")))?.value, '"a"');
    assert.equal((await log.get(cmKey("base")))?.value, '"1"');
  } finally {
    await log.close();
  }
});

Deno.test("sqlite log commits writes accepted before close; later ones are refused", async () => {
  await using dir = await tempDir();
  const log = openLog(dir.path);
  const pending = log.create(cmKey("a"), '"a"');
  await log.close();
  const rev = await pending;
  await assert.rejects(
    log.create(cmKey("b"), '"b"'),
    rejectsWith("Unavailable"),
  );
  const again = openLog(dir.path);
  try {
    assert.equal((await again.get(cmKey("a")))?.modRevision, rev);
  } finally {
    await again.close();
  }
});

Deno.test("sqlite log deletePrefix writes one marker per key in the group commit of concurrent writes, and the delete survives reopen and compaction", async () => {
  await using dir = await tempDir();
  let log = openLog(dir.path);
  try {
    const seen: LogEvent[][] = [];
    log.subscribe((events) => seen.push(events));
    for (const name of ["a", "b", "c"]) await log.create(cmKey(name), "{}");
    const kept = CM_PREFIX.replace("/clusters/root/", "/clusters/rootx/");
    await log.create(kept + "default/k", "{}");
    const before = await log.currentRevision();
    seen.length = 0;
    // Queued in the same turn: one transaction, revisions in queue order.
    const [created, bulk, after] = await Promise.all([
      log.create(cmKey("d"), "{}"),
      log.deletePrefix(CM_PREFIX),
      log.create(cmKey("e"), "{}"),
    ]);
    assert.equal(created, before + 1);
    assert.deepEqual(bulk, { deleted: 4, revision: before + 5 });
    assert.equal(after, before + 6);
    assert.equal(seen.length, 1, "one batch for the whole group commit");
    assert.deepEqual(
      seen[0].map((e) => [e.type, e.key, e.revision]),
      [
        ["create", cmKey("d"), before + 1],
        ["delete", cmKey("a"), before + 2],
        ["delete", cmKey("b"), before + 3],
        ["delete", cmKey("c"), before + 4],
        ["delete", cmKey("d"), before + 5],
        ["create", cmKey("e"), before + 6],
      ],
    );
    await log.close();
    log = openLog(dir.path);
    assert.equal(await log.currentRevision(), before + 6);
    const live = await log.list(CM_PREFIX.slice(0, -"root/".length));
    assert.deepEqual(live.records.map((r) => r.key), [
      cmKey("e"),
      kept + "default/k",
    ]);
    assert.equal((await log.changes(CM_PREFIX, before)).length, 6);
    await log.compact(before + 6);
    assert.deepEqual(
      (await log.list(CM_PREFIX)).records.map((r) => r.key),
      [cmKey("e")],
    );
    assert.deepEqual(await log.deletePrefix(kept), {
      deleted: 1,
      revision: before + 7,
    });
    assert.deepEqual(await log.deletePrefix(kept), {
      deleted: 0,
      revision: before + 7,
    });
    await assert.rejects(
      log.deletePrefix(CM_PREFIX.slice(0, -1)),
      rejectsWith("InvalidKey"),
    );
  } finally {
    await log.close();
  }
});
