import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { cachedStoreFactory } from "../../storage/cacher/mod.ts";
import { silentLogger } from "../../log/mod.ts";

Deno.test("field selectors on name and namespace mean the same through the watch cache's key hint", async () => {
  const backend = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const storage = cachedStoreFactory(backend);
  const s = await startTestServer({ storage });
  try {
    for (const ns of ["default", "kube-system"]) {
      for (const name of ["a", "b"]) {
        const r = await s.request(
          "POST",
          `/api/v1/namespaces/${ns}/configmaps`,
          { body: configMap(name, {}, { metadata: { labels: { n: name } } }) },
        );
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    }
    const names = async (path: string) => {
      const r = await s.request("GET", path);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items.map((
        i: { metadata: { namespace: string; name: string } },
      ) => `${i.metadata.namespace}/${i.metadata.name}`);
    };
    const all = "/api/v1/configmaps?fieldSelector=";
    assert.deepEqual(await names(`${all}metadata.name%3Da`), [
      "default/a",
      "kube-system/a",
    ]);
    assert.deepEqual(await names(`${all}metadata.name%3D%3Da`), [
      "default/a",
      "kube-system/a",
    ]);
    assert.deepEqual(await names(`${all}metadata.name!%3Da`), [
      "default/b",
      "kube-system/b",
    ]);
    assert.deepEqual(
      await names(`${all}metadata.name%3Da,metadata.namespace%3Dkube-system`),
      ["kube-system/a"],
    );
    assert.deepEqual(
      await names(`${all}metadata.name%3Da,metadata.namespace!%3Dkube-system`),
      ["default/a"],
    );
    assert.deepEqual(
      await names(`${all}metadata.name%3Da,metadata.name%3Db`),
      [],
    );
    assert.deepEqual(
      await names(`${all}metadata.name%3Db&labelSelector=n%3Da`),
      [],
    );
    assert.deepEqual(
      await names(
        "/api/v1/namespaces/default/configmaps?fieldSelector=metadata.namespace%3Dkube-system",
      ),
      [],
    );
  } finally {
    await s.close();
    await storage.close();
  }
});
