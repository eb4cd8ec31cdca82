/**
 * What the virtual-cluster benchmarks create: `VirtualCluster` objects in
 * root, each with one admin, POSTed many at a time.
 *
 * @module
 */

import type { TestServer } from "../tests/support/server.ts";

/** The `VirtualCluster` collection of root. */
export const VIRTUAL_CLUSTERS =
  "/apis/tenancy.hyperplane.dev/v1alpha1/virtualclusters";

/** A `VirtualCluster` named `name`, its one admin the user `admin-<name>`. */
export function virtualCluster(name: string) {
  return {
    apiVersion: "tenancy.hyperplane.dev/v1alpha1",
    kind: "VirtualCluster",
    metadata: { name },
    spec: { admins: [{ kind: "User", name: `admin-${name}` }] },
  };
}

/**
 * Creates `vc-<from>` … `vc-<to - 1>`, `inFlight` POSTs at a time; throws
 * on any answer but 201. Does not wait for them to be `Ready`.
 */
export async function createVirtualClusters(
  server: TestServer,
  from: number,
  to: number,
  inFlight = 16,
): Promise<void> {
  let next = from;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < to) {
      const i = next++;
      const res = await server.fetch(VIRTUAL_CLUSTERS, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(virtualCluster(`vc-${i}`)),
      });
      await res.body?.cancel();
      if (res.status !== 201) throw new Error(`POST vc-${i}: ${res.status}`);
    }
  }));
}
