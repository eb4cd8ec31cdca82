import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import {} from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import type { AdminsBinding } from "./admins.ts";
import { ClusterDirectory, virtualClusterKey } from "./directory.ts";
import { VirtualClusterLifecycle } from "./lifecycle.ts";
import { ClusterObjectCounts } from "./object_counts.ts";
import { TENANCY_GROUP, VIRTUAL_CLUSTERS } from "./types.ts";
import { virtualClusters } from "./virtualclusters.ts";
import { expiringOnce } from "../../tests/support/expiring_watch.ts";

function vc(name: string) {
  return {
    apiVersion: "tenancy.hyperplane.dev/v1alpha1",
    kind: "VirtualCluster",
    metadata: { name, uid: `uid-${name}` },
    spec: {},
  };
}

Deno.test("a VirtualCluster deleted during a watch outage is forgotten after the re-list", async () => {
  const factory = new LogStoreFactory(new MemoryLog());
  const store = factory.storeFor({
    group: TENANCY_GROUP,
    resource: VIRTUAL_CLUSTERS,
  });
  await store.create(virtualClusterKey("kept"), vc("kept"));
  await store.create(virtualClusterKey("gone"), vc("gone"));
  const fail = Promise.withResolvers<void>();
  const watched = expiringOnce(store, fail.promise);
  const directory = new ClusterDirectory({
    mode: "declared",
    store,
    def: virtualClusters,
    bootstrap: () => Promise.resolve(),
    now: () => new Date(),
  });
  const forgotten: string[] = [];
  const counts = new ClusterObjectCounts({
    resources: () => [],
    storeFor: () => store,
  });
  const forget = counts.forget.bind(counts);
  counts.forget = (c: string) => {
    forgotten.push(c);
    forget(c);
  };
  const lifecycle = new VirtualClusterLifecycle({
    store: watched,
    directory,
    bootstrap: {
      ensure: () => Promise.resolve(),
      forget: () => Promise.resolve(),
    },
    admins: { sync: () => Promise.resolve() } as unknown as AdminsBinding,
    teardown: () => Promise.resolve({ deleted: 0, resources: 0 }),
    counts,
    logger: silentLogger,
    now: () => new Date(),
  });
  try {
    await lifecycle.start();
    assert.ok(directory.get("kept"));
    assert.ok(directory.get("gone"));
    // Deleted while the watch delivers nothing:
    await store.delete(virtualClusterKey("gone"));
    fail.resolve();
    for (let i = 0; i < 200 && directory.get("gone"); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(directory.get("gone"), undefined);
    assert.deepEqual(forgotten, ["gone"]);
    assert.equal(directory.get("kept")?.metadata.name, "kept");
    await lifecycle.idle();
    const kept = await store.get(virtualClusterKey("kept"));
    assert.equal(
      (kept as { status?: { phase?: string } }).status?.phase,
      "Ready",
    );
  } finally {
    await lifecycle.close();
    await factory.close();
  }
});
