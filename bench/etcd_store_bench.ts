/**
 * The etcd backend against the raw `etcd3` client on the same etcd, in the
 * same run: raw `put` vs store `create` (a compare-and-swap transaction) and
 * raw `get` vs store `get`, with 1 and 32 requests in flight. Each group's
 * baseline is the raw client, so `deno bench` prints the store's ratio.
 * Target: the store reaches at least 70% of raw throughput.
 *
 * Starts its own one-member etcd (via `tests/support/etcd.ts`) and kills it
 * on exit. Without etcd it prints `SKIPPED: etcd not installed`.
 *
 * Run: `deno bench -A bench/etcd_store_bench.ts` (or `deno task bench`).
 *
 * @module
 */

import { Etcd3 } from "etcd3";
import type { KubeObject } from "../storage/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { openEtcd, parseEtcdConfig } from "../backends/etcd/mod.ts";
import { skipWithoutEtcd, startEtcd } from "../tests/support/etcd.ts";

const GET_KEYS = 1000;

function configMap(name: string): KubeObject {
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
const VALUE = JSON.stringify(configMap("sample"));

if (!skipWithoutEtcd("etcd store benchmark")) {
  const etcd = await startEtcd();
  const raw = new Etcd3({ hosts: etcd.endpoints.map((u) => u.slice(7)) });
  const { config } = parseEtcdConfig({
    "etcd-servers": etcd.endpoints.join(","),
    "etcd-compaction-interval": "0",
  });
  const factory = await openEtcd(config!, { logger: silentLogger });
  const store = factory.storeFor({ resource: "configmaps" });
  globalThis.addEventListener("unload", () => {
    raw.close();
    factory.close();
    etcd.killNow();
  });

  const storeKey = (ns: string, i: number) =>
    `/registry/configmaps/clusters/root/${ns}/obj-${i}`;
  for (let i = 0; i < GET_KEYS; i++) {
    await raw.put(`/raw/get/obj-${i}`).value(VALUE);
    await store.create(storeKey("get", i), configMap(`obj-${i}`));
  }

  let rawN = 0;
  let storeN = 0;
  let getN = 0;
  const rawCreate = () =>
    raw.put(`/raw/create/obj-${rawN++}`).value(VALUE).exec();
  const sample = configMap("sample");
  const storeCreate = () => store.create(storeKey("create", storeN++), sample);
  const rawGet = () => raw.get(`/raw/get/obj-${getN++ % GET_KEYS}`).string();
  const storeGet = () => store.get(storeKey("get", getN++ % GET_KEYS));

  const inFlight = async (n: number, op: () => Promise<unknown>) => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) all.push(op());
    await Promise.all(all);
  };

  for (const n of [1, 32]) {
    Deno.bench({
      name: `raw etcd3: put, ${n} in flight`,
      group: `create x${n}`,
      baseline: true,
      fn: async () => await inFlight(n, rawCreate),
    });
    Deno.bench({
      name: `etcd store: create, ${n} in flight`,
      group: `create x${n}`,
      fn: async () => await inFlight(n, storeCreate),
    });
    Deno.bench({
      name: `raw etcd3: get, ${n} in flight`,
      group: `get x${n}`,
      baseline: true,
      fn: async () => await inFlight(n, rawGet),
    });
    Deno.bench({
      name: `etcd store: get, ${n} in flight`,
      group: `get x${n}`,
      fn: async () => await inFlight(n, storeGet),
    });
  }
}
