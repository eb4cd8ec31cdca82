import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { objectKey } from "../../storage/mod.ts";
import { configMaps } from "../resources/configmaps.ts";
import { writeAuthenticationConfigMap } from "./cluster_objects.ts";
import { AUTHENTICATION_CONFIGMAP } from "./authentication_configmap.ts";

Deno.test("the authentication ConfigMap is written when its data differs, not when only the key order does", async () => {
  const backend = await memoryBackend().open({}, {
    dataDir: "/nonexistent",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(backend);
  try {
    const kind = {
      def: configMaps,
      store: storage.storeFor({ resource: "configmaps" }),
    };
    const key = objectKey({
      resource: "configmaps",
      cluster: "c1",
      namespace: "kube-system",
      name: AUTHENTICATION_CONFIGMAP,
    });
    const now = new Date("2026-12-07T00:00:00Z");
    await writeAuthenticationConfigMap(kind, "c1", { a: "1", b: "2" }, now);
    const first = await kind.store.get(key);
    assert.deepEqual(first.data, { a: "1", b: "2" });

    await writeAuthenticationConfigMap(kind, "c1", { b: "2", a: "1" }, now);
    const same = await kind.store.get(key);
    assert.equal(
      same.metadata.resourceVersion,
      first.metadata.resourceVersion,
    );

    await writeAuthenticationConfigMap(kind, "c1", { a: "1", b: "3" }, now);
    const changed = await kind.store.get(key);
    assert.deepEqual(changed.data, { a: "1", b: "3" });
    assert.notEqual(
      changed.metadata.resourceVersion,
      first.metadata.resourceVersion,
    );
  } finally {
    await storage.close();
  }
});
