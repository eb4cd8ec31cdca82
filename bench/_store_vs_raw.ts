/**
 * What the `<backend>_store_bench.ts` files share, so each says only how its
 * raw client and its store are opened: the sample object, the store's keys,
 * and for the networked backends (etcd, PostgreSQL) the four `deno bench`
 * groups "create xN" / "get xN" with the raw client as baseline, so that
 * every backend's ratio is measured the same way.
 *
 * @module
 */

import type { KubeObject } from "../storage/mod.ts";

/** The benchmarks' ConfigMap: labels and 256 bytes of data (~450 B stored). */
export function benchConfigMap(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "bench",
      uid: crypto.randomUUID(),
      labels: { app: "bench", tier: "storage" },
      creationTimestamp: "2025-01-01T00:00:00Z",
    },
    data: { config: "x".repeat(256) },
  };
}

/** The serialized sample object: what the raw clients write and read. */
export const BENCH_VALUE: string = JSON.stringify(benchConfigMap("sample"));

/** The store key of object `i` in namespace `ns` (cluster `root`). */
export function storeKey(ns: string, i: number): string {
  return `/registry/configmaps/clusters/root/${ns}/obj-${i}`;
}

/** Runs `n` calls of `op` at once and waits for all of them. */
export async function inFlight(
  n: number,
  op: () => Promise<unknown>,
): Promise<void> {
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) all.push(op());
  await Promise.all(all);
}

/** The operations one store-versus-raw run compares. */
export interface StoreVsRawOps {
  rawCreate(): Promise<unknown>;
  storeCreate(): Promise<unknown>;
  rawGet(): Promise<unknown>;
  storeGet(): Promise<unknown>;
}

/** How the benches are named, e.g. `raw etcd3: put` vs `etcd store: create`. */
export interface StoreVsRawNames {
  /** The raw side, e.g. `raw etcd3`. */
  raw: string;
  /** The raw client's write and read, e.g. `put` and `get`. */
  rawCreate: string;
  rawGet: string;
  /** The store side, e.g. `etcd store`. */
  store: string;
}

/**
 * Registers groups `create xN` and `get xN` for 1 and 32 requests in
 * flight, each with the raw client as its baseline.
 */
export function benchStoreVsRaw(
  names: StoreVsRawNames,
  ops: StoreVsRawOps,
): void {
  const groups = [
    {
      group: "create",
      raw: names.rawCreate,
      rawOp: ops.rawCreate,
      storeOp: ops.storeCreate,
    },
    {
      group: "get",
      raw: names.rawGet,
      rawOp: ops.rawGet,
      storeOp: ops.storeGet,
    },
  ];
  for (const n of [1, 32]) {
    for (const g of groups) {
      Deno.bench({
        name: `${names.raw}: ${g.raw}, ${n} in flight`,
        group: `${g.group} x${n}`,
        baseline: true,
        fn: async () => await inFlight(n, g.rawOp),
      });
      Deno.bench({
        name: `${names.store}: ${g.group}, ${n} in flight`,
        group: `${g.group} x${n}`,
        fn: async () => await inFlight(n, g.storeOp),
      });
    }
  }
}
