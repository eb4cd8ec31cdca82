import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { openSqliteStoreFactory } from "../../backends/sqlite/sqlite_store_factory.ts";
import { silentLogger } from "../../log/mod.ts";
import {
  objectKey,
  type ResourceRef,
  type StoreFactory,
} from "../../storage/mod.ts";
import { tempDir } from "../../tests/support/sqlite_log_fixtures.ts";
import {
  type CachedStore,
  cachedStoreFactory,
} from "../../storage/cacher/mod.ts";
import { ClusterObjectCounts } from "./object_counts.ts";

const REFS: ResourceRef[] = [
  { resource: "namespaces" },
  { resource: "configmaps" },
  { group: "rbac.authorization.k8s.io", resource: "clusterroles" },
];

/** Fills two clusters; `a` has 2 namespaces, 5 ConfigMaps, 0 ClusterRoles. */
async function fill(storage: StoreFactory): Promise<void> {
  const ns = storage.storeFor({ resource: "namespaces" });
  const cms = storage.storeFor({ resource: "configmaps" });
  for (const cluster of ["a", "b"]) {
    for (const name of ["default", "kube-system"]) {
      await ns.create(objectKey({ resource: "namespaces", cluster, name }), {
        metadata: { name },
      });
    }
  }
  for (let i = 0; i < 5; i++) {
    const name = `cm-${i}`;
    await cms.create(
      objectKey({
        resource: "configmaps",
        cluster: "a",
        namespace: i % 2 ? "default" : "kube-system",
        name,
      }),
      { metadata: { name } },
    );
  }
  // A cluster whose name extends `a` must not be counted with it.
  await cms.create(
    objectKey({
      resource: "configmaps",
      cluster: "ab",
      namespace: "default",
      name: "x",
    }),
    { metadata: { name: "x" } },
  );
}

async function check(storage: StoreFactory): Promise<void> {
  await fill(storage);
  const counts = new ClusterObjectCounts({
    resources: () => REFS,
    storeFor: (ref) => storage.storeFor(ref),
  });
  assert.deepEqual(
    { ...await counts.count("a"), at: 0 },
    { objects: 7, namespaces: 2, at: 0 },
  );
  assert.deepEqual(
    { ...await counts.count("b"), at: 0 },
    { objects: 2, namespaces: 2, at: 0 },
  );
  assert.equal((await counts.count("none")).objects, 0);
}

Deno.test("object counts are exact without reading every object (memory)", async () => {
  const storage = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  try {
    await check(storage);
  } finally {
    await storage.close();
  }
});

Deno.test("object counts are exact without reading every object (SQLite)", async () => {
  await using dir = await tempDir();
  const storage = openSqliteStoreFactory({ path: `${dir.path}/state.db` });
  try {
    await check(storage);
  } finally {
    await storage.close();
  }
});

Deno.test("object counts over the watch cache come from its key index, as consistent as a list", async () => {
  const memory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(memory, { eager: true });
  try {
    await check(storage);
    const cms = storage.storeFor({ resource: "configmaps" }) as CachedStore;
    const counts = new ClusterObjectCounts({
      resources: () => REFS,
      storeFor: (ref) => storage.storeFor(ref),
    });
    const listedBefore = cms.served.cache.list;
    // Written just before: a consistent count sees it.
    await cms.create(
      objectKey({
        resource: "configmaps",
        cluster: "a",
        namespace: "default",
        name: "late",
      }),
      { metadata: { name: "late" } },
    );
    assert.equal((await counts.count("a")).objects, 8);
    assert.equal(cms.served.cache.list, listedBefore + 1, "one count");
    assert.equal(cms.served.backend.list, 0);
  } finally {
    await storage.close();
    await memory.close();
  }
});
