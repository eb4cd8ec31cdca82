/**
 * The objects a cluster's bootstrap writes with `createQuietly` are handed
 * over to the watchers as they are (`storage/cacher/quiet_creates.ts`), so
 * each must be exactly what its stored text decodes to: plain JSON data.
 */

import assert from "node:assert/strict";
import { adminSender } from "../tests/support/control_plane_requests.ts";
import { type ControlPlaneOptions, createControlPlane } from "../mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { clusterFromKey } from "../storage/mod.ts";
import type { KubeObject, Store, StoreFactory } from "../storage/mod.ts";
import { quietCreatesOf } from "../storage/cacher/mod.ts";
import { overridingStores } from "../tests/support/cacher_fixtures.ts";
import { ADMINS_BINDING } from "../apiserver/tenancy/types.ts";

/** An object handed over, and a copy taken when it was. */
interface HandedOver {
  key: string;
  obj: KubeObject;
  copy: unknown;
}

/** `factory` with every store's quiet creates recorded into `seen`. */
function recording(factory: StoreFactory, seen: HandedOver[]): StoreFactory {
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

/**
 * Runs `body` against a serving control plane on the memory backend
 * (`options` added) whose quiet creates are recorded, with an admin's
 * request function; then checks that every object handed over is plain
 * JSON data (what its stored text decodes to, key for key: no undefined,
 * no Date, no class instance) and unchanged since.
 */
async function withRecordedBootstrap(
  options: Partial<ControlPlaneOptions>,
  body: (
    call: (method: string, path: string, body?: unknown) => Promise<Response>,
    seen: HandedOver[],
  ) => Promise<void>,
): Promise<void> {
  const factory = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const seen: HandedOver[] = [];
  try {
    await using cp = await createControlPlane({
      ...options,
      storage: recording(factory, seen),
    });
    await cp.serve();
    await body(adminSender(cp), seen);
    for (const { key, obj, copy } of seen) {
      assert.deepStrictEqual(JSON.parse(JSON.stringify(obj)), obj, key);
      assert.deepStrictEqual(obj, copy, key);
    }
  } finally {
    await factory.close();
  }
}

Deno.test("every object a new cluster's bootstrap hands over is plain JSON data, never changed after", async () => {
  await withRecordedBootstrap({
    virtualClusters: "implicit",
    // Certificates at creation: the controllers publish the root CA
    // (`kube-root-ca.crt`); aggregation: the local APIServices.
    serving: { port: 0 },
    aggregation: {},
  }, async (call, seen) => {
    const res = await call("GET", "/clusters/fresh/api/v1/namespaces/default");
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
  });
});

Deno.test("a declared cluster's admins binding is handed over too", async () => {
  await withRecordedBootstrap({}, async (call, seen) => {
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
      s.key.endsWith(`/clusterrolebindings/clusters/team/${ADMINS_BINDING}`)
    );
    assert.ok(binding, "the admins binding is created quietly");
    assert.deepEqual((binding.obj as { subjects?: unknown }).subjects, [
      { kind: "User", name: "alice", apiGroup: "rbac.authorization.k8s.io" },
    ]);
  });
});
