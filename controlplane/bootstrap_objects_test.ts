/**
 * The objects a cluster's bootstrap writes with `createQuietly` are handed
 * over to the watchers as they are (`storage/cacher/quiet_creates.ts`), so
 * each must be exactly what its stored text decodes to: plain JSON data.
 */

import assert from "node:assert/strict";
import { createControlPlane } from "../mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { clusterFromKey } from "../storage/mod.ts";
import type { KubeObject, Store, StoreFactory } from "../storage/mod.ts";
import { quietCreatesOf } from "../storage/cacher/mod.ts";
import { overridingStores } from "../tests/support/cacher_fixtures.ts";
import { ADMINS_BINDING } from "../apiserver/tenancy/types.ts";

/** `factory` with every store's quiet creates recorded into `seen`. */
function recording(
  factory: StoreFactory,
  seen: { key: string; obj: KubeObject; copy: unknown }[],
): StoreFactory {
  return overridingStores(factory, (store) => {
    const quiet = quietCreatesOf(store);
    if (!quiet) return {};
    const createQuietly = (key: string, obj: KubeObject) => {
      seen.push({ key, obj, copy: structuredClone(obj) });
      return quiet.createQuietly(key, obj);
    };
    return { createQuietly } as Partial<Store>;
  });
}

Deno.test("every object a new cluster's bootstrap hands over is plain JSON data, never changed after", async () => {
  const factory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const seen: { key: string; obj: KubeObject; copy: unknown }[] = [];
  try {
    await using cp = await createControlPlane({
      storage: recording(factory, seen),
      virtualClusters: "implicit",
      // Certificates at creation: the controllers publish the root CA
      // (`kube-root-ca.crt`); aggregation: the local APIServices.
      serving: { port: 0 },
      aggregation: {},
    });
    await cp.serve();
    const res = await cp.handler(
      new Request("http://cp/clusters/fresh/api/v1/namespaces/default", {
        headers: { authorization: `Bearer ${cp.adminToken}` },
      }),
    );
    assert.equal(res.status, 200);
    await res.body?.cancel();
    const fresh = seen.filter((s) => clusterFromKey(s.key) === "fresh");
    // `/registry/[<group>/]<resource>/clusters/…`
    const kinds = new Set(
      fresh.map((s) => /([^/]+)\/clusters\//.exec(s.key)![1]),
    );
    for (
      const kind of [
        "namespaces",
        "serviceaccounts",
        "configmaps",
        "clusterroles",
        "clusterrolebindings",
        "roles",
        "rolebindings",
        "apiservices",
      ]
    ) assert.ok(kinds.has(kind), `the bootstrap wrote ${kind} quietly`);
    assert.ok(
      fresh.some((s) =>
        s.key.endsWith("/kube-system/extension-apiserver-authentication")
      ),
      "the authentication ConfigMap is created quietly",
    );
    assertHandedOverIntact(seen);
  } finally {
    await factory.close();
  }
});

Deno.test("a declared cluster's admins binding is handed over too", async () => {
  const factory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const seen: { key: string; obj: KubeObject; copy: unknown }[] = [];
  try {
    await using cp = await createControlPlane({
      storage: recording(factory, seen),
    });
    await cp.serve();
    const call = (method: string, path: string, body?: unknown) =>
      cp.handler(
        new Request(`http://cp${path}`, {
          method,
          headers: {
            authorization: `Bearer ${cp.adminToken}`,
            "content-type": "application/json",
          },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    const vcs = "/apis/tenancy.hyperplane.dev/v1alpha1/virtualclusters";
    const created = await call("POST", vcs, {
      apiVersion: "tenancy.hyperplane.dev/v1alpha1",
      kind: "VirtualCluster",
      metadata: { name: "team" },
      spec: { admins: [{ kind: "User", name: "alice" }] },
    });
    assert.equal(created.status, 201);
    await created.body?.cancel();
    for (let i = 0;; i++) {
      const res = await call("GET", `${vcs}/team`);
      if ((await res.json()).status?.phase === "Ready") break;
      assert.ok(i < 500, "the cluster becomes Ready");
      await new Promise((r) => setTimeout(r, 20));
    }
    const binding = seen.find((s) =>
      clusterFromKey(s.key) === "team" &&
      s.key.endsWith("/clusterrolebindings/clusters/team/" + ADMINS_BINDING)
    );
    assert.ok(binding, "the admins binding is created quietly");
    assert.deepEqual(
      (binding.obj as { subjects?: unknown }).subjects,
      [{ kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" }],
    );
    assertHandedOverIntact(seen);
  } finally {
    await factory.close();
  }
});

/** Each handed-over object is plain JSON data, unchanged since. */
function assertHandedOverIntact(
  seen: { key: string; obj: KubeObject; copy: unknown }[],
): void {
  for (const { key, obj, copy } of seen) {
    // What the stored text decodes to, key for key (no undefined, no
    // Date, no class instance anywhere).
    assert.deepStrictEqual(JSON.parse(JSON.stringify(obj)), obj, key);
    // Not changed since it was handed over.
    assert.deepStrictEqual(obj, copy, key);
  }
}
