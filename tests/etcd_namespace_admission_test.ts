/**
 * Namespace admission reads its namespace from the watch cache; on etcd the
 * cache trails the store by a watch round trip. A create right after its
 * namespace is created is admitted (a cache miss is confirmed by a consistent
 * read) and one right after the namespace is deleted is refused (the delete
 * makes this server read that namespace consistently for a while).
 */
import assert from "node:assert/strict";
import { silentLogger } from "../log/mod.ts";
import { openEtcd, parseEtcdConfig } from "../backends/etcd/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import { createApiServer } from "../apiserver/mod.ts";
import { ADMIN } from "./support/apiserver_harness.ts";
import { skipWithoutEtcd, startEtcd } from "./support/etcd.ts";

Deno.test("on etcd, creates right after a namespace is created or deleted are admitted and refused", async () => {
  if (skipWithoutEtcd("etcd namespace admission test")) return;
  const etcd = await startEtcd();
  const { config } = parseEtcdConfig({
    "etcd-servers": etcd.endpoints.join(","),
    "etcd-compaction-interval": "0",
  });
  const backend = await openEtcd(config!, { logger: silentLogger });
  const storage = cachedStoreFactory(backend, { logger: silentLogger });
  const api = await createApiServer({ storage, logger: silentLogger });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api.handler(
      new Request(`http://hyperplane.test${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { user: ADMIN },
    );
    return { status: res.status, body: await res.json() };
  };
  try {
    // warm the namespace cache
    assert.equal((await call("GET", "/api/v1/namespaces")).status, 200);
    for (let i = 0; i < 10; i++) {
      const ns = `race-${i}`;
      const c = await call("POST", "/api/v1/namespaces", {
        metadata: { name: ns },
      });
      assert.equal(c.status, 201);
      const cm = (name: string) =>
        call("POST", `/api/v1/namespaces/${ns}/configmaps`, {
          metadata: { name },
        });
      const first = await cm("a");
      assert.equal(
        first.status,
        201,
        `create in new ${ns}: ${JSON.stringify(first.body)}`,
      );
      assert.equal(
        (await call("DELETE", `/api/v1/namespaces/${ns}`)).status,
        200,
      );
      const after = await cm("b");
      assert.equal(after.status, 403, `create in terminating ${ns}`);
      assert.match(after.body.message, /being terminated/);
    }
  } finally {
    await api.close();
    await storage.close();
    await etcd.stop();
  }
});
