/**
 * `Store.deletePrefix` against its baseline, deleting the same objects one
 * `Store.delete` at a time (sequentially, and 64 in flight), on each backend
 * in the same run: what a virtual cluster's teardown gains from the bulk
 * delete. Each round fills one cluster prefix with N ConfigMaps (created 64
 * in flight, not timed), then times the removal; a watcher on the resource
 * counts the DELETED events, and the round waits for all of them.
 *
 * Run: `deno run -A bench/delete_prefix_bench.ts [memory] [sqlite] [etcd]
 * [postgres] [--objects=1000] [--rounds=3]` (default: memory sqlite etcd
 * postgres; etcd and PostgreSQL are started on loopback, skipped when their
 * binaries are missing). Prints medians and ratios, asserts nothing.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { silentLogger } from "../log/mod.ts";
import type { KubeObject, Store, StoreFactory } from "../storage/mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { sqliteBackend } from "../backends/sqlite/mod.ts";
import { etcdBackend } from "../backends/etcd/mod.ts";
import { postgresBackend } from "../backends/postgres/mod.ts";
import { etcdBinary, startEtcd } from "../tests/support/etcd.ts";
import { postgresMissing, startPostgres } from "../tests/support/postgres.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    objects: { type: "string", default: "1000" },
    rounds: { type: "string", default: "3" },
  },
  allowPositionals: true,
});
const N = Number(args.values.objects);
const ROUNDS = Number(args.values.rounds);
const wanted = args.positionals.length > 0
  ? args.positionals
  : ["memory", "sqlite", "etcd", "postgres"];

function configMap(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: crypto.randomUUID() },
    data: { config: "x".repeat(256) },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

type Way = "deletePrefix" | "delete ×1" | "delete ×64";

/** Fills a fresh cluster, removes it the given way; returns milliseconds. */
async function round(store: Store, way: Way, r: number): Promise<number> {
  const cluster = `bench-${way.replace(/\W/g, "")}-${r}-${Date.now()}`;
  const prefix = `/registry/configmaps/clusters/${cluster}/`;
  const keys = Array.from(
    { length: N },
    (_, i) => `${prefix}default/cm-${String(i).padStart(5, "0")}`,
  );
  await pool(keys, 64, (k) => store.create(k, configMap(k.split("/").pop()!)));
  const watcher = await store.watch(prefix, {
    recursive: true,
    resourceVersion: String(await store.currentRevision()),
  });
  let seen = 0;
  const allSeen = (async () => {
    for await (const ev of watcher) {
      if (ev.type === "DELETED" && ++seen === N) return;
    }
  })();
  const t = performance.now();
  if (way === "deletePrefix") await store.deletePrefix(prefix);
  else await pool(keys, way === "delete ×1" ? 1 : 64, (k) => store.delete(k));
  const ms = performance.now() - t;
  await allSeen;
  watcher.stop();
  return ms;
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(name: string, factory: StoreFactory): Promise<void> {
  const store = factory.storeFor({ resource: "configmaps" });
  const ways: Way[] = ["deletePrefix", "delete ×64", "delete ×1"];
  const times = new Map<Way, number[]>(ways.map((w) => [w, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const way of ways) times.get(way)!.push(await round(store, way, r));
  }
  const bulk = median(times.get("deletePrefix")!);
  for (const way of ways) {
    const m = median(times.get(way)!);
    console.log(
      `| ${name} | ${way} | ${m.toFixed(1)} ms | ${
        way === "deletePrefix" ? "1×" : `${(m / bulk).toFixed(1)}×`
      } |`,
    );
  }
}

console.log(
  `${N} ConfigMaps per cluster, median of ${ROUNDS} rounds (time to the last acknowledged delete; watch events awaited after)`,
);
console.log("| backend | how | time | vs deletePrefix |");
console.log("| --- | --- | --- | --- |");
const ctx = { dataDir: "", logger: silentLogger };
for (const name of wanted) {
  if (name === "memory") {
    const f = await memoryBackend().open({}, ctx);
    await measure(name, f).finally(() => f.close());
  } else if (name === "sqlite") {
    const dir = await Deno.makeTempDir({ prefix: "hyperplane-bench-dp-" });
    const f = await sqliteBackend().open({}, { ...ctx, dataDir: dir });
    await measure(name, f).finally(() => f.close());
    await Deno.remove(dir, { recursive: true });
  } else if (name === "etcd") {
    if (!etcdBinary()) {
      console.log("| etcd | SKIPPED: no etcd binary | | |");
      continue;
    }
    const etcd = await startEtcd();
    try {
      const f = await etcdBackend().open({
        "etcd-servers": etcd.endpoints.join(","),
        "etcd-compaction-interval": "0",
      }, ctx);
      await measure(name, f).finally(() => f.close());
    } finally {
      await etcd.stop();
    }
  } else if (name === "postgres") {
    const missing = postgresMissing();
    const pg = missing ? undefined : await startPostgres();
    if (!pg) {
      console.log(`| postgres | SKIPPED: ${missing ?? "did not start"} | | |`);
      continue;
    }
    try {
      const f = await postgresBackend().open({
        "postgres-url": pg.url,
        "postgres-password-file": pg.passwordFile,
        "postgres-sslmode": "disable",
        "postgres-compaction-interval": "0",
      }, ctx);
      await measure(name, f).finally(() => f.close());
    } finally {
      await pg.stop();
    }
  } else {
    console.error(`unknown backend ${name}`);
    Deno.exit(2);
  }
}
