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
import { silentLogger } from "../log/mod.ts";
import { openEtcd, parseEtcdConfig } from "../backends/etcd/mod.ts";
import { skipWithoutEtcd, startEtcd } from "../tests/support/etcd.ts";
import {
  BENCH_VALUE,
  benchConfigMap,
  benchStoreVsRaw,
  storeKey,
} from "./_store_vs_raw.ts";

const GET_KEYS = 1000;

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

  for (let i = 0; i < GET_KEYS; i++) {
    await raw.put(`/raw/get/obj-${i}`).value(BENCH_VALUE);
    await store.create(storeKey("get", i), benchConfigMap(`obj-${i}`));
  }

  let rawN = 0;
  let storeN = 0;
  let getN = 0;
  const rawCreate = () =>
    raw.put(`/raw/create/obj-${rawN++}`).value(BENCH_VALUE).exec();
  const sample = benchConfigMap("sample");
  const storeCreate = () => store.create(storeKey("create", storeN++), sample);
  const rawGet = () => raw.get(`/raw/get/obj-${getN++ % GET_KEYS}`).string();
  const storeGet = () => store.get(storeKey("get", getN++ % GET_KEYS));

  benchStoreVsRaw(
    { raw: "raw etcd3", rawCreate: "put", rawGet: "get", store: "etcd store" },
    { rawCreate, storeCreate, rawGet, storeGet },
  );
}
