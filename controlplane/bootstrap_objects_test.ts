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
    for (const { key, obj, copy } of seen) {
      // What the stored text decodes to, key for key (no undefined, no
      // Date, no class instance anywhere).
      assert.deepStrictEqual(JSON.parse(JSON.stringify(obj)), obj, key);
      // Not changed since it was handed over.
      assert.deepStrictEqual(obj, copy, key);
    }
  } finally {
    await factory.close();
  }
});
