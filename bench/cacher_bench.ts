/**
 * Watch cache load generator: `deno run -A bench/cacher_bench.ts`.
 *
 * 1. List 10k objects: the memory backend directly (baseline) vs the watch
 *    cache over it (consistent RV "" and RV "0").
 * 2. Watch fan-out: 1,000 watchers of one namespace, sequential updates;
 *    write→delivery latency p50/p99 over every delivery, the memory
 *    backend's own watch (baseline) vs the cache's.
 *
 * Prints ratios against the baseline measured in the same run.
 *
 * @module
 */

import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import type { KubeObject, Store, StoreFactory } from "../storage/mod.ts";

const OBJECTS = 10_000;
const LIST_ROUNDS = 30;
const WATCHERS = 1_000;
const WRITES = 200;
const PREFIX = "/registry/configmaps/clusters/root/default/";
const RESOURCE = "/registry/configmaps/";

function obj(name: string, i: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", uid: crypto.randomUUID() },
    data: { index: String(i), payload: "x".repeat(200) },
  };
}

async function memory(): Promise<StoreFactory> {
  return await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
}

async function timeLists(
  store: Store,
  rv: string,
): Promise<number> {
  await store.list(PREFIX, { recursive: true, resourceVersion: rv }); // warm
  const t0 = performance.now();
  for (let i = 0; i < LIST_ROUNDS; i++) {
    const res = await store.list(PREFIX, {
      recursive: true,
      resourceVersion: rv,
    });
    if (res.items.length !== OBJECTS) throw new Error("short list");
  }
  return (performance.now() - t0) / LIST_ROUNDS;
}

async function listBench(): Promise<void> {
  const backend = await memory();
  const cached = cachedStoreFactory(backend);
  try {
    const store = cached.storeFor({ resource: "configmaps" });
    for (let i = 0; i < OBJECTS; i++) {
      await store.create(`${PREFIX}cm-${i}`, obj(`cm-${i}`, i));
    }
    // A list of the whole resource starts the cache and waits for its fill
    // (as the controllers' informers do in a server); before it, a list of
    // one cluster is the backend's.
    await store.list(RESOURCE, { recursive: true });
    const direct = backend.storeFor({ resource: "configmaps" });
    const base = await timeLists(direct, "");
    const fromCache = await timeLists(store, "");
    const fromCache0 = await timeLists(store, "0");
    const page = async (s: Store) => {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) {
        await s.list(PREFIX, { recursive: true, limit: 500 });
      }
      return (performance.now() - t0) / 200;
    };
    const pageBase = await page(direct);
    const pageCache = await page(store);
    console.log(`list of ${OBJECTS} objects (ms/list, lower is better)`);
    console.log(`  memory backend directly (baseline)  ${base.toFixed(2)}`);
    console.log(
      `  watch cache, RV ""                  ${fromCache.toFixed(2)}  (${
        (base / fromCache).toFixed(2)
      }x)`,
    );
    console.log(
      `  watch cache, RV "0"                 ${fromCache0.toFixed(2)}  (${
        (base / fromCache0).toFixed(2)
      }x)`,
    );
    console.log(`first page of 500 of ${OBJECTS} (ms/list)`);
    console.log(`  memory backend directly (baseline)  ${pageBase.toFixed(3)}`);
    console.log(
      `  watch cache, RV ""                  ${pageCache.toFixed(3)}  (${
        (pageBase / pageCache).toFixed(2)
      }x)`,
    );
  } finally {
    await cached.close();
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function fanOut(
  writer: Store,
  watched: Store,
): Promise<{ p50: number; p99: number; max: number }> {
  await writer.create(`${PREFIX}hot`, obj("hot", 0));
  await watched.list(RESOURCE, { recursive: true }); // filled, caught up
  const ac = new AbortController();
  const started = new Map<string, number>();
  const samples: number[] = [];
  let delivered = 0;
  let onAll: (() => void) | undefined;
  const loops: Promise<void>[] = [];
  for (let i = 0; i < WATCHERS; i++) {
    const w = await watched.watch(PREFIX, {
      recursive: true,
      resourceVersion: "",
      sendInitialEvents: false,
      signal: ac.signal,
    });
    loops.push((async () => {
      for await (const ev of w) {
        if (ev.type !== "MODIFIED") continue;
        const n = (ev.object.data as Record<string, string> | undefined)?.n;
        const t0 = n === undefined ? undefined : started.get(n);
        if (t0 !== undefined) samples.push(performance.now() - t0);
        if (++delivered % WATCHERS === 0) onAll?.();
      }
    })());
  }
  for (let i = 1; i <= WRITES; i++) {
    const all = new Promise<void>((r) => (onAll = r));
    started.set(String(i), performance.now());
    await writer.guaranteedUpdate(`${PREFIX}hot`, {
      tryUpdate: (cur) => ({ ...cur!, data: { n: String(i) } }),
    });
    await all;
  }
  ac.abort();
  await Promise.all(loops);
  if (samples.length !== WATCHERS * WRITES) throw new Error("lost events");
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    max: samples[samples.length - 1],
  };
}

async function fanOutBench(): Promise<void> {
  const base = await memory();
  const baseline = await fanOut(
    base.storeFor({ resource: "configmaps" }),
    base.storeFor({ resource: "configmaps" }),
  );
  await base.close();
  const cached = cachedStoreFactory(await memory(), {
    watcherBufferSize: 10_000,
    eager: true, // as the controllers' informers start it in a server
  });
  const store = cached.storeFor({ resource: "configmaps" });
  const cache = await fanOut(store, store);
  await cached.close();
  const fmt = (r: { p50: number; p99: number; max: number }) =>
    `p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  max ${
      r.max.toFixed(2)
    } ms`;
  console.log(
    `watch fan-out, ${WATCHERS} watchers x ${WRITES} writes (write→delivery)`,
  );
  console.log(`  memory backend watch (baseline)  ${fmt(baseline)}`);
  console.log(
    `  watch cache                      ${fmt(cache)}  (p99 ${
      (baseline.p99 / cache.p99).toFixed(2)
    }x)`,
  );
}

await listBench();
await fanOutBench();
