import assert from "node:assert/strict";
import { memoryBackend } from "../../backends/memory/mod.ts";
import { silentLogger } from "../../log/mod.ts";
import type {
  GetOptions,
  KubeObject,
  StoreFactory,
} from "../../storage/mod.ts";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

Deno.test("namespaces", async (t) => {
  const s = await startTestServer();
  try {
    await t.step(
      "the system namespaces exist in root after start",
      async () => {
        const r = await s.request("GET", "/api/v1/namespaces");
        assert.equal(r.body.kind, "NamespaceList");
        const names = r.body.items.map((n: { metadata: { name: string } }) =>
          n.metadata.name
        ).sort();
        assert.deepEqual(names, [
          "default",
          "kube-node-lease",
          "kube-public",
          "kube-system",
        ]);
        const d = r.body.items.find((n: { metadata: { name: string } }) =>
          n.metadata.name === "default"
        );
        assert.equal(d.status.phase, "Active");
        assert.deepEqual(d.spec.finalizers, ["kubernetes"]);
        assert.equal(
          d.metadata.labels["kubernetes.io/metadata.name"],
          "default",
        );
      },
    );
    await t.step(
      "another cluster gets its system namespaces on first use",
      async () => {
        const r = await s.request(
          "GET",
          "/clusters/blue/api/v1/namespaces/kube-system",
        );
        assert.equal(r.status, 200);
        assert.equal(r.body.metadata.name, "kube-system");
      },
    );
    await t.step(
      "create in a missing namespace is 404 namespaces not found",
      async () => {
        const r = await s.request(
          "POST",
          "/api/v1/namespaces/nope/configmaps",
          { body: configMap("x") },
        );
        assert.equal(r.status, 404);
        assert.equal(r.body.message, 'namespaces "nope" not found');
        assert.deepEqual(r.body.details, { name: "nope", kind: "namespaces" });
      },
    );
    await t.step("an invalid namespace name is 422 with causes", async () => {
      const r = await s.request("POST", "/api/v1/namespaces", {
        body: { metadata: { name: "Bad_Name" } },
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.reason, "Invalid");
      assert.equal(r.body.details.kind, "Namespace");
      assert.equal(r.body.details.causes[0].field, "metadata.name");
      assert.equal(r.body.details.causes[0].reason, "FieldValueInvalid");
      assert.match(
        r.body.message,
        /^Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label/,
      );
    });
    await t.step(
      "deleting a namespace marks it Terminating and keeps it",
      async () => {
        await s.request("POST", "/api/v1/namespaces", {
          body: { metadata: { name: "gone" } },
        });
        const r = await s.request("DELETE", "/api/v1/namespaces/gone");
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Namespace");
        assert.equal(r.body.status.phase, "Terminating");
        assert.ok(r.body.metadata.deletionTimestamp);
        const g = await s.request("GET", "/api/v1/namespaces/gone");
        assert.equal(g.body.status.phase, "Terminating");
      },
    );
    await t.step(
      "creating content in a terminating namespace is 403",
      async () => {
        const r = await s.request(
          "POST",
          "/api/v1/namespaces/gone/configmaps",
          { body: configMap("x") },
        );
        assert.equal(r.status, 403);
        assert.match(r.body.message, /being terminated/);
      },
    );
    await t.step(
      "an update cannot change spec.finalizers or status",
      async () => {
        const g = await s.request("GET", "/api/v1/namespaces/default");
        const body = {
          ...g.body,
          spec: { finalizers: [] },
          status: { phase: "Terminating" },
        };
        const r = await s.request("PUT", "/api/v1/namespaces/default", {
          body,
        });
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.spec.finalizers, ["kubernetes"]);
        assert.equal(r.body.status.phase, "Active");
      },
    );
    await t.step(
      "PUT /finalize with no finalizers left deletes a terminating namespace",
      async () => {
        const g = await s.request("GET", "/api/v1/namespaces/gone");
        const r = await s.request("PUT", "/api/v1/namespaces/gone/finalize", {
          body: { ...g.body, spec: { finalizers: [] } },
        });
        assert.equal(r.status, 200);
        const after = await s.request("GET", "/api/v1/namespaces/gone");
        assert.equal(after.status, 404);
      },
    );
    await t.step(
      "a namespace without finalizers is deleted at once",
      async () => {
        await s.request("POST", "/api/v1/namespaces", {
          body: { metadata: { name: "quick" } },
        });
        const g = await s.request("GET", "/api/v1/namespaces/quick");
        await s.request("PUT", "/api/v1/namespaces/quick/finalize", {
          body: { ...g.body, spec: { finalizers: [] } },
        });
        const r = await s.request("DELETE", "/api/v1/namespaces/quick");
        assert.equal(r.status, 200);
        assert.equal(
          (await s.request("GET", "/api/v1/namespaces/quick")).status,
          404,
        );
      },
    );
    await t.step(
      "GET of the status subresource returns the namespace; GET of finalize is 405",
      async () => {
        const r = await s.request("GET", "/api/v1/namespaces/default/status");
        assert.equal(r.status, 200);
        assert.equal(r.body.kind, "Namespace");
        const f = await s.request("GET", "/api/v1/namespaces/default/finalize");
        assert.equal(f.status, 405);
      },
    );
  } finally {
    await s.close();
  }
});

Deno.test("clusters are isolated by path", async () => {
  const s = await startTestServer();
  try {
    await s.request(
      "POST",
      "/clusters/a/api/v1/namespaces/default/configmaps",
      { body: configMap("only-a") },
    );
    const inA = await s.request(
      "GET",
      "/clusters/a/api/v1/namespaces/default/configmaps/only-a",
    );
    assert.equal(inA.status, 200);
    const inB = await s.request(
      "GET",
      "/clusters/b/api/v1/namespaces/default/configmaps/only-a",
    );
    assert.equal(inB.status, 404);
    const inRoot = await s.request(
      "GET",
      "/api/v1/namespaces/default/configmaps/only-a",
    );
    assert.equal(inRoot.status, 404);
    const viaControlPlane = await s.request(
      "GET",
      "/clusters/a/control-plane/api/v1/namespaces/default/configmaps/only-a",
    );
    assert.equal(viaControlPlane.status, 200);
    const bad = await s.request("GET", "/clusters/Not_Valid/api/v1/namespaces");
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, "BadRequest");
  } finally {
    await s.close();
  }
});

/**
 * A memory backend whose namespaces answer `resourceVersion: "0"` reads like
 * a watch cache that never catches up: with the first state it saw.
 */
async function staleNamespaceCache(): Promise<StoreFactory> {
  const inner = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const seen = new Map<string, KubeObject>();
  return {
    ...inner,
    readiness: () => inner.readiness(),
    currentRevision: () => inner.currentRevision(),
    compact: (rev) => inner.compact(rev),
    close: () => inner.close(),
    storeFor(ref) {
      const store = inner.storeFor(ref);
      if (ref.resource !== "namespaces") return store;
      return new Proxy(store, {
        get(target, prop) {
          if (prop !== "get") {
            const v = Reflect.get(target, prop);
            return typeof v === "function" ? v.bind(target) : v;
          }
          return async (key: string, opts?: GetOptions) => {
            if (opts?.resourceVersion !== "0") return target.get(key, opts);
            const old = seen.get(key);
            if (old) return structuredClone(old);
            const obj = await target.get(key, opts);
            seen.set(key, structuredClone(obj));
            return obj;
          };
        },
      });
    },
  };
}

Deno.test("namespace admission reads the cache, but not for a namespace it just saw deleted", async () => {
  const s = await startTestServer({ storage: await staleNamespaceCache() });
  try {
    const ns = "lagging";
    const created = await s.request("POST", "/api/v1/namespaces", {
      body: { metadata: { name: ns } },
    });
    assert.equal(created.status, 201);
    const cm = (name: string) =>
      s.request("POST", `/api/v1/namespaces/${ns}/configmaps`, {
        body: configMap(name),
      });
    assert.equal((await cm("a")).status, 201);
    assert.equal(
      (await s.request("DELETE", `/api/v1/namespaces/${ns}`)).status,
      200,
    );
    // the cache still shows the namespace active; the delete made it live
    const refused = await cm("b");
    assert.equal(refused.status, 403);
    assert.match(refused.body.message, /being terminated/);
    // a namespace the cache has never seen is found by the consistent read
    assert.equal(
      (await s.request("POST", "/api/v1/namespaces/kube-public/configmaps", {
        body: configMap("c"),
      })).status,
      201,
    );
    assert.equal(
      (await s.request("POST", "/api/v1/namespaces/missing/configmaps", {
        body: configMap("d"),
      })).status,
      404,
    );
  } finally {
    await s.close();
  }
});
