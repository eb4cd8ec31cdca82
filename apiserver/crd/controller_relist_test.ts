import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { objectKey } from "../../storage/mod.ts";
import { LogStoreFactory } from "../../storage/log/mod.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import { ClusterRegistries } from "../resources/registry.ts";
import { CrdController } from "./controller.ts";
import { expiringOnce } from "../../tests/support/expiring_watch.ts";

const GROUP = "apiextensions.k8s.io";
const RESOURCE = "customresourcedefinitions";

Deno.test("a CRD deleted during a watch outage stops being served after the re-list", async () => {
  const factory = new LogStoreFactory(new MemoryLog());
  const store = factory.storeFor({ group: GROUP, resource: RESOURCE });
  const crd = cronTabCrd();
  const name = crd.metadata.name!;
  const key = (cluster: string) =>
    objectKey({ group: GROUP, resource: RESOURCE, cluster, name });
  await store.create(key("a"), structuredClone(crd));
  await store.create(key("b"), structuredClone(crd));
  const fail = Promise.withResolvers<void>();
  const registries = new ClusterRegistries();
  const controller = new CrdController({
    crdStore: expiringOnce(store, fail.promise),
    registries,
    storeFor: (group, plural) => factory.storeFor({ group, resource: plural }),
    logger: silentLogger,
  });
  const served = (cluster: string) => registries.get(cluster, name).length;
  try {
    await controller.start();
    assert.ok(served("a") > 0 && served("b") > 0);
    // Deleted (no finalizer left) while the watch delivers nothing:
    await store.delete(key("a"));
    fail.resolve();
    for (let i = 0; i < 200 && served("a") > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(served("a"), 0);
    assert.ok(served("b") > 0);
  } finally {
    await controller.close();
    await factory.close();
  }
});
