import assert from "node:assert/strict";
import { memoryBackend } from "../../../backends/memory/mod.ts";
import { silentLogger } from "../../../log/mod.ts";
import { objectKey } from "../../../storage/mod.ts";
import { ConfigurationIndex } from "./configurations.ts";

const GROUP = "admissionregistration.k8s.io";
const RESOURCE = "validatingwebhookconfigurations";

Deno.test("the index files configurations by cluster, sorted by name, and follows changes", async () => {
  const storage = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const store = storage.storeFor({ group: GROUP, resource: RESOURCE });
  const key = (cluster: string, name: string) =>
    objectKey({ group: GROUP, resource: RESOURCE, cluster, name });
  const put = (cluster: string, name: string) =>
    store.create(key(cluster, name), { metadata: { name }, webhooks: [] });
  await put("root", "b");
  await put("root", "a");
  await put("tenant", "c");
  const stop = new AbortController();
  const index = new ConfigurationIndex({
    store,
    group: GROUP,
    resource: RESOURCE,
    signal: stop.signal,
  });
  try {
    await index.start();
    assert.ok(index.synced);
    const names = (c: string) =>
      index.configurations(c).map((o) => o.metadata.name);
    assert.deepEqual(names("root"), ["a", "b"]);
    assert.deepEqual(names("tenant"), ["c"]);
    assert.deepEqual(names("other"), []);
    let changed = index.changed();
    await put("root", "0-first");
    await changed;
    assert.deepEqual(names("root"), ["0-first", "a", "b"]);
    changed = index.changed();
    await store.delete(key("tenant", "c"));
    await changed;
    assert.deepEqual(names("tenant"), []);
  } finally {
    stop.abort();
    await index.close();
    await storage.close();
  }
});
