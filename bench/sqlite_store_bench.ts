/**
 * The sqlite backend against raw `node:sqlite` on the same machine, in the
 * same run: single-row insert transactions vs store `create`, point selects
 * vs store `get`, and a store `list` of 10k objects. Both databases use the
 * same settings (WAL, `synchronous=NORMAL`, exclusive locking).
 *
 * The read groups run first, on the databases as loaded: the create group
 * writes tens of thousands of rows (twice as many into the store's database,
 * which both `store.create` and `SqliteLog.create` fill), and reads measured
 * after it would mostly measure how much of that churn evicted the read
 * working set from each connection's page cache.
 *
 * Run: `deno bench -A bench/sqlite_store_bench.ts` (or `deno task bench`).
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { BENCH_VALUE, benchConfigMap } from "./_store_vs_raw.ts";

const LIST_SIZE = 10_000;
const dir = Deno.makeTempDirSync({ prefix: "hyperplane-bench-sqlite-" });

// --- raw node:sqlite, the baseline ---------------------------------------
const raw = new DatabaseSync(`${dir}/raw.db`);
raw.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`);
const rawBegin = raw.prepare("BEGIN IMMEDIATE");
const rawCommit = raw.prepare("COMMIT");
const rawInsert = raw.prepare("INSERT INTO kv (key, value) VALUES (?, ?)");
const rawSelect = raw.prepare("SELECT value FROM kv WHERE key = ?");
const rawList = raw.prepare(
  "SELECT key, value FROM kv WHERE key >= ? AND key < ? ORDER BY key",
);

// --- the sqlite store --------------------------------------------------------
const factory = openSqliteStoreFactory({ path: `${dir}/state.db` });
const store = factory.storeFor({ resource: "configmaps" });
const listPrefix = "/registry/configmaps/clusters/root/list/";
const getKey = (i: number) =>
  `/registry/configmaps/clusters/root/get/obj-${i % LIST_SIZE}`;

rawBegin.run();
for (let i = 0; i < LIST_SIZE; i++) {
  rawInsert.run(`/list/obj-${String(i).padStart(5, "0")}`, BENCH_VALUE);
  rawInsert.run(`/get/obj-${i}`, BENCH_VALUE);
}
rawCommit.run();
for (let i = 0; i < LIST_SIZE; i++) {
  const name = `obj-${String(i).padStart(5, "0")}`;
  await store.create(listPrefix + name, benchConfigMap(name));
  await store.create(getKey(i), benchConfigMap(`obj-${i}`));
}

// Warm both read paths (JIT, page caches) before the first measured case,
// which would otherwise pay for it alone.
for (let i = 0; i < 2 * LIST_SIZE; i++) {
  rawSelect.get(`/get/obj-${i % LIST_SIZE}`);
  await store.get(getKey(i));
  await factory.log.get(getKey(i));
}

globalThis.addEventListener("unload", () => {
  raw.close();
  factory.log.close();
  Deno.removeSync(dir, { recursive: true });
});

let rawN = 0;
let storeN = 0;
let rawGetN = 0;
let storeGetN = 0;
let logN = 0;
let logGetN = 0;

// A get takes a few microseconds, about what the bench harness spends on
// one iteration of an async function (and less on a sync one): each
// iteration does GET_BATCH gets, so the harness weighs the same on all sides.
const GET_BATCH = 100;

Deno.bench({
  name: `raw sqlite: select one row by key (×${GET_BATCH})`,
  group: "get",
  baseline: true,
  fn() {
    for (let i = 0; i < GET_BATCH; i++) {
      rawSelect.get(`/get/obj-${rawGetN++ % LIST_SIZE}`);
    }
  },
});

Deno.bench({
  name: `store.get (×${GET_BATCH})`,
  group: "get",
  async fn() {
    for (let i = 0; i < GET_BATCH; i++) await store.get(getKey(storeGetN++));
  },
});

Deno.bench({
  name: `SqliteLog.get, the backend alone (×${GET_BATCH})`,
  group: "get",
  async fn() {
    for (let i = 0; i < GET_BATCH; i++) {
      await factory.log.get(getKey(logGetN++));
    }
  },
});

Deno.bench({
  name: "raw sqlite: select 10k rows by key range",
  group: "list 10k",
  baseline: true,
  fn() {
    const rows = rawList.all("/list/", "/list0");
    if (rows.length !== LIST_SIZE) throw new Error(`raw list ${rows.length}`);
  },
});

Deno.bench({
  name: "SqliteLog.list of 10k records (the backend alone)",
  group: "list 10k",
  async fn() {
    const res = await factory.log.list(listPrefix);
    if (res.records.length !== LIST_SIZE) {
      throw new Error(`log list ${res.records.length}`);
    }
  },
});

Deno.bench({
  name: "store.list of 10k objects",
  group: "list 10k",
  async fn() {
    const res = await store.list(listPrefix, { recursive: true });
    if (res.items.length !== LIST_SIZE) {
      throw new Error(`store list ${res.items.length}`);
    }
  },
});

Deno.bench({
  name: "raw sqlite: insert one row in a transaction",
  group: "create",
  baseline: true,
  fn() {
    rawBegin.run();
    rawInsert.run(`/create/obj-${rawN++}`, BENCH_VALUE);
    rawCommit.run();
  },
});

Deno.bench({
  name: "store.create",
  group: "create",
  async fn() {
    const name = `obj-${storeN++}`;
    await store.create(
      `/registry/configmaps/clusters/root/create/${name}`,
      benchConfigMap(name),
    );
  },
});

Deno.bench({
  name: "SqliteLog.create (the backend alone)",
  group: "create",
  async fn() {
    await factory.log.create(
      `/registry/configmaps/clusters/root/logcreate/obj-${logN++}`,
      BENCH_VALUE,
    );
  },
});

// 64 writes in flight, as 64 concurrent API requests make them: the store
// group-commits the writes of one event-loop turn; the baseline still pays
// one transaction per row (what a write path without batching costs).
const IN_FLIGHT = 64;
let rawConcN = 0;
let storeConcN = 0;

Deno.bench({
  name: `raw sqlite: ${IN_FLIGHT} single-row transactions`,
  group: `create, ${IN_FLIGHT} in flight`,
  baseline: true,
  fn() {
    for (let i = 0; i < IN_FLIGHT; i++) {
      rawBegin.run();
      rawInsert.run(`/conc/obj-${rawConcN++}`, BENCH_VALUE);
      rawCommit.run();
    }
  },
});

Deno.bench({
  name: `store.create × ${IN_FLIGHT} concurrent`,
  group: `create, ${IN_FLIGHT} in flight`,
  async fn() {
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, () => {
        const name = `obj-${storeConcN++}`;
        return store.create(
          `/registry/configmaps/clusters/root/conc/${name}`,
          benchConfigMap(name),
        );
      }),
    );
  },
});
