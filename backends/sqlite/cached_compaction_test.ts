/**
 * The sqlite backend behind the watch cache, as `hyperplane server` runs it,
 * with periodic compaction: the file stays bounded, and reads and watches
 * that need compacted history get `Expired` while the cache still serves
 * what it holds.
 */

import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { CachedStore, cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { WatchCollector } from "../../storage/testing/mod.ts";
import { openSqliteStoreFactory } from "./sqlite_store_factory.ts";
import { tempDir } from "../../tests/support/sqlite_log_fixtures.ts";

const PREFIX = "/registry/configmaps/clusters/root/";
const KEYS = 20;
const UPDATES = 4_000;
const TICK_EVERY = 250;
/** Events the cache keeps per resource (small, so old watches leave it). */
const HISTORY = 500;

function cm(name: string, i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: `uid-${name}` },
    data: { i: String(i), filler: "x".repeat(400) },
  };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).size;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
}

Deno.test("sqlite behind the watch cache stays bounded under churn and expires compacted history", async (t) => {
  await using dir = await tempDir();
  const dbPath = `${dir.path}/state.db`;
  const backend = openSqliteStoreFactory({ path: dbPath });
  const factory = cachedStoreFactory(backend, { historySize: HISTORY });
  const store = factory.storeFor({ resource: "configmaps" });
  assert.ok(store instanceof CachedStore);
  try {
    const key = (k: number) => `${PREFIX}default/cm-${k}`;
    for (let k = 0; k < KEYS; k++) await store.create(key(k), cm(`cm-${k}`, 0));
    // A list of the whole resource starts the cache and waits for its fill.
    await store.list("/registry/configmaps/", { recursive: true });
    const early = await store.list(PREFIX, { recursive: true, limit: 5 });
    assert.ok(
      early.continue,
      "a paged list from the cache has a continue token",
    );
    const earlyRev = Number(early.resourceVersion);

    let peak = 0;
    for (let i = 1; i <= UPDATES; i++) {
      await store.guaranteedUpdate(key(i % KEYS), {
        tryUpdate: (cur) => ({
          ...cur!,
          data: { ...cur!.data as object, i: String(i) },
        }),
      });
      if (i % TICK_EVERY === 0) {
        await backend.compactionTick();
        peak = Math.max(peak, await fileSize(dbPath));
      }
    }
    await backend.compactionTick();
    const compacted = await backend.log.compactedRevision();
    const current = await store.currentRevision();
    assert.ok(compacted > earlyRev, `compacted ${compacted} > ${earlyRev}`);
    assert.ok(store.serving, "the cache keeps serving across compactions");

    await t.step("the database file stays bounded", async () => {
      const live = await store.stats();
      const liveBytes = live.estimatedSizeBytes ?? 0;
      // Two copies of each live value (history row and kv), one tick of
      // history (250 updates ≈ 120 KB), and SQLite's fixed pages.
      const bound = 4 * liveBytes + TICK_EVERY * 600 + 512 * 1024;
      const written = UPDATES * 450;
      console.log(
        `cached churn: live=${liveBytes}B peak=${peak}B bound=${bound}B ` +
          `written=${written}B`,
      );
      assert.ok(peak <= bound, `peak ${peak} B exceeds ${bound} B`);
      assert.equal(backend.log.integrityCheck(), "ok");
    });

    await t.step(
      "a watch from a compacted revision older than the cache's history gets Expired",
      async () => {
        const w = new WatchCollector(
          await store.watch(PREFIX, {
            recursive: true,
            resourceVersion: String(earlyRev),
          }),
        );
        try {
          const err = await w.expectError();
          assert.equal(err.code, "Expired");
        } finally {
          await w.close();
        }
      },
    );

    await t.step(
      "a continue token issued before the compaction is Expired",
      async () => {
        await assert.rejects(
          store.list(PREFIX, { recursive: true, continue: early.continue }),
          (err: { code?: string }) => err.code === "Expired",
        );
      },
    );

    await t.step(
      "a watch from a recent revision is served from the cache's history",
      async () => {
        const from = current - 10;
        // Compacted in the database, still in the cache's history (as
        // kube-apiserver's watch cache, which outlives etcd compaction).
        assert.ok(from < compacted, `${from} < ${compacted}`);
        const w = new WatchCollector(
          await store.watch(PREFIX, {
            recursive: true,
            resourceVersion: String(from),
          }),
        );
        try {
          for (let rev = from + 1; rev <= current; rev++) {
            const ev = await w.expect("MODIFIED");
            assert.equal(ev.metadata.resourceVersion, String(rev));
          }
          await w.expectQuiet();
        } finally {
          await w.close();
        }
      },
    );

    await t.step(
      "compacting through the factory drops the cache's history too",
      async () => {
        await factory.compact(current);
        const w = new WatchCollector(
          await store.watch(PREFIX, {
            recursive: true,
            resourceVersion: String(current - 5),
          }),
        );
        try {
          assert.equal((await w.expectError()).code, "Expired");
        } finally {
          await w.close();
        }
        const served = store.served;
        assert.ok(served.cache.watch >= 1, JSON.stringify(served));
      },
    );
  } finally {
    await factory.close();
  }
});
