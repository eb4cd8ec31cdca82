/**
 * The spanner backend against the raw `@google-cloud/spanner` client on the
 * same emulator, in the same run: a raw single-row insert (one mutation
 * commit) vs store `create` (a read-write transaction that checks the key,
 * writes the row, appends the change log and stamps the meta row), and a raw
 * strong point read (read API) vs store `get`. Each group's baseline is the raw client,
 * so `deno bench` prints the store's ratio.
 *
 * Starts its own emulator (via `tests/support/spanner.ts`) and kills it on
 * exit. Without the emulator it prints `SKIPPED: spanner emulator not found`.
 *
 * Run: `deno bench -A bench/spanner_store_bench.ts` (or `deno task bench`).
 *
 * @module
 */

import { Spanner } from "@google-cloud/spanner";
import { credentials } from "@grpc/grpc-js";
import { openSpannerStoreFactory } from "../backends/spanner/mod.ts";
import { startSpannerEmulator } from "../tests/support/spanner.ts";
import { BENCH_VALUE, benchConfigMap, storeKey } from "./_store_vs_raw.ts";

const GET_KEYS = 200;

const emu = await startSpannerEmulator();
if (emu) {
  const config = {
    project: "bench-project",
    instance: "bench-instance",
    database: "bench",
    emulatorHost: emu.host,
  };
  // Opening the backend creates instance, database and schema (and sets the
  // multiplexed-sessions switch the raw client needs too).
  const factory = await openSpannerStoreFactory(config, { retentionMs: 0 });
  const store = factory.storeFor({ resource: "configmaps" });
  const [host, port] = emu.host.split(":");
  const rawClient = new Spanner({
    projectId: config.project,
    servicePath: host,
    port: Number(port),
    sslCreds: credentials.createInsecure(),
    disableBuiltInMetrics: true,
    universeDomain: "googleapis.com",
  });
  const raw = rawClient.instance(config.instance).database(config.database);
  const [op] = await raw.updateSchema([
    "CREATE TABLE raw_kv (key STRING(MAX) NOT NULL, value STRING(MAX) NOT NULL) PRIMARY KEY (key)",
  ]);
  await op.promise();
  globalThis.addEventListener("unload", () => {
    emu.killNow();
  });

  for (let i = 0; i < GET_KEYS; i++) {
    await raw.table("raw_kv").insert({
      key: `/raw/get/obj-${i}`,
      value: BENCH_VALUE,
    });
    await store.create(storeKey("get", i), benchConfigMap(`obj-${i}`));
  }

  let rawN = 0;
  let storeN = 0;
  let getN = 0;
  Deno.bench({
    name: "raw spanner: insert mutation",
    group: "create",
    baseline: true,
    n: 300,
    warmup: 20,
    fn: async () => {
      await raw.table("raw_kv").insert({
        key: `/raw/create/obj-${rawN++}`,
        value: BENCH_VALUE,
      });
    },
  });
  Deno.bench({
    name: "spanner store: create",
    group: "create",
    n: 300,
    warmup: 20,
    fn: async () => {
      const i = storeN++;
      await store.create(storeKey("create", i), benchConfigMap(`obj-${i}`));
    },
  });
  Deno.bench({
    name: "raw spanner: strong point read",
    group: "get",
    baseline: true,
    n: 500,
    warmup: 20,
    fn: async () => {
      await raw.table("raw_kv").read({
        keys: [`/raw/get/obj-${getN++ % GET_KEYS}`],
        columns: ["key", "value"],
        json: true,
      });
    },
  });
  Deno.bench({
    name: "spanner store: get",
    group: "get",
    n: 500,
    warmup: 20,
    fn: async () => {
      await store.get(storeKey("get", getN++ % GET_KEYS));
    },
  });
}
