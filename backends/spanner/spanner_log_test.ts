import assert from "node:assert/strict";
import {
  spannerTestConfig,
  startSpannerEmulator,
} from "../../tests/support/spanner.ts";
import { isStorageError } from "../../storage/mod.ts";
import type { LogEvent } from "../../storage/log/log.ts";
import { openSpannerLog } from "./spanner_log.ts";

const K = "/registry/configmaps/clusters/root/default/";

function nextEvents(
  sub: (l: (e: LogEvent[]) => void) => () => void,
  n: number,
): Promise<LogEvent[]> {
  return new Promise((resolve) => {
    const got: LogEvent[] = [];
    const stop = sub((events) => {
      got.push(...events);
      if (got.length >= n) {
        stop();
        resolve(got);
      }
    });
  });
}

Deno.test("the spanner log keeps the revision-log contract on the emulator", async (t) => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  try {
    const config = spannerTestConfig(emu, "log-db");
    const log = await openSpannerLog(config, { retentionMs: 0 });
    try {
      await t.step(
        "writes return increasing commit-timestamp revisions",
        async () => {
          const start = await log.currentRevision();
          assert.ok(start > 0);
          const r1 = await log.create(K + "a", '{"a":1}');
          const r2 = await log.update(K + "a", '{"a":2}', r1);
          assert.ok(r1 > start && r2 > r1);
          assert.equal(await log.currentRevision(), r2);
          const rec = await log.get(K + "a");
          assert.deepEqual(rec, {
            key: K + "a",
            value: '{"a":2}',
            createRevision: r1,
            modRevision: r2,
          });
          const old = await log.get(K + "a", r1);
          assert.equal(old?.value, '{"a":1}');
        },
      );

      await t.step("conditional writes fail with typed errors", async () => {
        await assert.rejects(
          log.create(K + "a", "{}"),
          (e) => isStorageError(e, "KeyExists"),
        );
        await assert.rejects(
          log.update(K + "a", "{}", 1),
          (e) => isStorageError(e, "Conflict"),
        );
        await assert.rejects(
          log.delete(K + "zz", 1),
          (e) => isStorageError(e, "NotFound"),
        );
        const cur = await log.currentRevision();
        await assert.rejects(
          log.get(K + "a", cur + 1_000_000),
          (e) => isStorageError(e, "TooLargeResourceVersion"),
        );
      });

      await t.step("list pages in key order at one revision", async () => {
        await log.create(K + "b", "{}");
        await log.create(K + "c", "{}");
        const p1 = await log.list(K, { limit: 2 });
        assert.deepEqual(p1.records.map((r) => r.key), [K + "a", K + "b"]);
        assert.equal(p1.more, true);
        await log.create(K + "d", "{}");
        const p2 = await log.list(K, {
          startKey: K + "c",
          atRevision: p1.revision,
          limit: 2,
        });
        assert.deepEqual(p2.records.map((r) => r.key), [K + "c"]);
        assert.equal(p2.more, false);
        assert.deepEqual(await log.count(K), { count: 4, bytes: 13 });
      });

      await t.step(
        "subscribers see local writes in order and changes() replays them",
        async () => {
          const before = await log.currentRevision();
          // The previous step's last create may reach this replica's tail
          // after it subscribed (a busy machine): take this step's only.
          const events = nextEvents(
            (l) =>
              log.subscribe((evs) => l(evs.filter((e) => e.revision > before))),
            2,
          );
          const rb = (await log.get(K + "b"))!.modRevision;
          const r1 = await log.delete(K + "b", rb);
          const r2 = await log.create(K + "e", '{"e":1}');
          const got = await events;
          assert.deepEqual(got.map((e) => [e.type, e.key, e.revision]), [
            ["delete", K + "b", r1],
            ["create", K + "e", r2],
          ]);
          assert.equal(got[0].prevRevision, rb);
          const replay = await log.changes(K, before);
          assert.deepEqual(replay, got);
        },
      );

      await t.step(
        "deletePrefix beyond one transaction's chunk removes every key, a revision per chunk, and another replica sees each key's delete",
        async () => {
          const other = await openSpannerLog(config, {
            retentionMs: 0,
            deletePrefixChunk: 3,
          });
          try {
            const p = "/registry/configmaps/clusters/chunked/";
            for (let i = 0; i < 7; i++) {
              await other.create(`${p}default/k${i}`, `{"i":${i}}`);
            }
            await other.create(
              "/registry/configmaps/clusters/chunked2/x",
              "{}",
            );
            const before = await other.currentRevision();
            // The creates may reach this replica's tail after it
            // subscribed: wait for the deletes only.
            const events = nextEvents(
              (l) =>
                log.subscribe((evs) =>
                  l(evs.filter((e) =>
                    e.type === "delete" && e.key.startsWith(p)
                  ))
                ),
              7,
            );
            const res = await other.deletePrefix(p);
            assert.equal(res.deleted, 7);
            const got = await events;
            assert.deepEqual(
              got.map((e) => [e.type, e.key, JSON.parse(e.value).i]),
              [0, 1, 2, 3, 4, 5, 6].map((
                i,
              ) => ["delete", `${p}default/k${i}`, i]),
            );
            const revs = [...new Set(got.map((e) => e.revision))];
            assert.equal(revs.length, 3, "chunks of 3, 3 and 1");
            assert.ok(revs[0] > before && revs[2] === res.revision);
            assert.deepEqual(await log.changes(p, before), got);
            assert.deepEqual((await log.list(p)).records, []);
            assert.deepEqual(await other.deletePrefix(p), {
              deleted: 0,
              revision: await other.currentRevision(),
            });
          } finally {
            await other.close();
          }
        },
      );

      await t.step("compaction expires old revisions", async () => {
        const cur = await log.currentRevision();
        await log.compact(cur);
        assert.equal(await log.compactedRevision(), cur);
        await assert.rejects(
          log.changes(K, cur - 1),
          (e) => isStorageError(e, "Expired"),
        );
        await assert.rejects(
          log.get(K + "a", cur - 1),
          (e) => isStorageError(e, "Expired"),
        );
        assert.deepEqual(await log.changes(K, cur), []);
      });
    } finally {
      await log.close();
    }
  } finally {
    await emu.stop();
  }
});
