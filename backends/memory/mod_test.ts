import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import { memoryBackend } from "./mod.ts";

Deno.test("the memory backend has no flags and opens an empty store factory", async () => {
  const backend = memoryBackend();
  assert.equal(backend.name, "memory");
  assert.equal(
    backend.description,
    "in-memory storage for tests and ephemeral use (data is lost on exit)",
  );
  assert.deepEqual(backend.flags, []);
  const ctx = { dataDir: "", logger: silentLogger };
  assert.deepEqual(backend.validate({}, ctx), []);
  const factory = await backend.open({}, ctx);
  try {
    await factory.readiness();
    const store = factory.storeFor({ resource: "configmaps" });
    const key = "/registry/configmaps/clusters/root/default/x";
    const created = await store.create(key, { metadata: { name: "x" } });
    assert.deepEqual(await store.get(key), created);
    assert.equal(await factory.currentRevision(), 2);
  } finally {
    await factory.close();
  }
  await assert.rejects(factory.readiness(), /closed/);
});

Deno.test("every open of the memory backend starts from nothing", async () => {
  const ctx = { dataDir: "", logger: silentLogger };
  const one = await memoryBackend().open({}, ctx);
  const two = await memoryBackend().open({}, ctx);
  try {
    const key = "/registry/configmaps/clusters/root/default/x";
    await one.storeFor({ resource: "configmaps" }).create(key, {
      metadata: { name: "x" },
    });
    assert.equal(
      (await two.storeFor({ resource: "configmaps" }).list(key, {
        recursive: false,
      })).items.length,
      0,
    );
  } finally {
    await one.close();
    await two.close();
  }
});
