/**
 * Periodic retention on Spanner: the change log is compacted and purged on
 * its own, and a watch from before the retained window gets `Expired`.
 */
import assert from "node:assert/strict";
import { spannerTestConfig, startSpannerEmulator } from "./support/spanner.ts";
import {
  openSpannerLog,
  openSpannerStoreFactory,
} from "../backends/spanner/mod.ts";
import { isStorageError } from "../storage/mod.ts";

const K = "/registry/configmaps/clusters/root/default/";

Deno.test("periodic retention compacts the spanner change log and expires old watches", async () => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const config = spannerTestConfig(emu, "retention-db");
  const factory = await openSpannerStoreFactory(config, {
    retentionMs: 300,
    compactIntervalMs: 100,
    purgeMarginMs: 0,
  });
  // A second handle on the same database, without retention, to look at it.
  const probe = await openSpannerLog(config, { retentionMs: 0 });
  try {
    const store = factory.storeFor({ resource: "configmaps" });
    const first = await store.create(K + "old", { metadata: { name: "old" } });
    const firstRev = Number(first.metadata.resourceVersion);
    // Later writes move "now" forward; retention then compacts past `first`.
    let last = firstRev;
    // The bound only ends a broken run: under a full parallel suite the
    // emulator (one read-write transaction at a time) took more than 200
    // rounds once; the loop stops as soon as compaction has run.
    for (let i = 0; Number(await probe.compactedRevision()) <= firstRev; i++) {
      assert.ok(i < 600, "periodic compaction never ran");
      const obj = await store.create(`${K}n-${i}`, {
        metadata: { name: `n-${i}` },
      });
      last = Number(obj.metadata.resourceVersion);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(last > firstRev);
    await assert.rejects(
      probe.changes(K, firstRev - 1),
      (e) => isStorageError(e, "Expired"),
    );
    const watcher = await store.watch(K, {
      recursive: true,
      resourceVersion: String(firstRev - 1),
    });
    const it = watcher[Symbol.asyncIterator]();
    const ev = await it.next();
    watcher.stop();
    assert.equal(ev.value?.type, "ERROR");
    assert.ok(
      ev.value?.type === "ERROR" && isStorageError(ev.value.error, "Expired"),
    );
  } finally {
    await probe.close();
    await factory.close();
    await emu.stop();
  }
});
