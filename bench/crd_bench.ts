/**
 * Custom resource create throughput against ConfigMap create throughput
 * (issue 8: ≥ 80%), measured in the same run through the API server's
 * handler. The CronTab CRD is created through the API and served by the CRD
 * controller, so the dynamic path (per-cluster registry, schema pruning,
 * defaulting, validation, defaults on read for the response) is measured.
 *
 *     deno run -A bench/crd_bench.ts [--rounds 40] [--batch 100]
 *
 * Two groups: `sqlite` (SQLite behind the watch cache, as `hyperplane
 * server` runs it) and `memory` (the memory backend: the API cost alone,
 * without SQLite commit stalls). In each round a batch of ConfigMap creates
 * and a batch of CronTab creates run back to back, the order alternating
 * between rounds, so that a stall of the machine (2 shared cores) hits both
 * kinds alike. Reported per kind: mean, median and p75 of the per-batch
 * throughput; and the ratio CronTab/ConfigMap of the medians and the median
 * of the per-round ratios (the figure to judge: paired, robust to stalls).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ApiServer, createApiServer } from "../apiserver/mod.ts";
import { cronTabCrd } from "../tests/support/crd_testdata.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import type { StoreFactory } from "../storage/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "40" },
    batch: { type: "string", default: "100" },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const user = { username: "admin", groups: ["system:masters"] };

function post(api: ApiServer, path: string, body: unknown) {
  return api.handler(
    new Request(`http://bench${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { user },
  );
}

async function expectCreated(res: Response): Promise<void> {
  if (res.status !== 201) throw new Error(await res.text());
  await res.body?.cancel();
}

type Kind = "configmap" | "crontab";

function creator(api: ApiServer, kind: Kind): (i: number) => Promise<void> {
  if (kind === "configmap") {
    return async (i) =>
      await expectCreated(
        await post(api, "/api/v1/namespaces/default/configmaps", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${i}`, labels: { app: "bench" } },
          data: { schedule: "* * * * */5", image: "img", replicas: "3" },
        }),
      );
  }
  return async (i) =>
    await expectCreated(
      await post(
        api,
        "/apis/stable.example.com/v1/namespaces/default/crontabs",
        {
          apiVersion: "stable.example.com/v1",
          kind: "CronTab",
          metadata: { name: `ct-${i}`, labels: { app: "bench" } },
          spec: { cronSpec: "* * * * */5", image: "img", replicas: 3 },
        },
      ),
    );
}

async function serveCronTabs(api: ApiServer): Promise<void> {
  await expectCreated(
    await post(
      api,
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      cronTabCrd(),
    ),
  );
  for (let i = 0;; i++) {
    const res = await api.handler(
      new Request("http://bench/apis/stable.example.com/v1/crontabs"),
      { user },
    );
    await res.body?.cancel();
    if (res.status === 200) return;
    if (i > 500) throw new Error("the CronTab CRD was not served");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number) => x.toFixed(0).padStart(6);

async function runGroup(name: string, storage: StoreFactory): Promise<void> {
  const api = await createApiServer({ storage, logger: silentLogger });
  try {
    await serveCronTabs(api);
    const create = {
      configmap: creator(api, "configmap"),
      crontab: creator(api, "crontab"),
    };
    const rates: Record<Kind, number[]> = { configmap: [], crontab: [] };
    const ratios: number[] = [];
    let n = 0;
    const batch = async (kind: Kind) => {
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await create[kind](n++);
      return BATCH / ((performance.now() - start) / 1000);
    };
    // Warm-up (JIT, caches), not counted.
    await batch("configmap");
    await batch("crontab");
    for (let r = 0; r < ROUNDS; r++) {
      const order: Kind[] = r % 2 === 0
        ? ["configmap", "crontab"]
        : ["crontab", "configmap"];
      const got = {} as Record<Kind, number>;
      for (const k of order) got[k] = await batch(k);
      rates.configmap.push(got.configmap);
      rates.crontab.push(got.crontab);
      ratios.push(got.crontab / got.configmap);
    }
    console.log(
      `\n[${name}] ${ROUNDS} rounds × ${BATCH} sequential creates per kind`,
    );
    console.log("kind        mean/s  median/s  p25/s  p75/s");
    for (const k of ["configmap", "crontab"] as Kind[]) {
      const xs = rates[k];
      console.log(
        `${k.padEnd(10)} ${fmt(mean(xs))}  ${fmt(quantile(xs, 0.5))}  ${
          fmt(quantile(xs, 0.25))
        } ${fmt(quantile(xs, 0.75))}`,
      );
    }
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `crontab/configmap: means ${
        pct(mean(rates.crontab) / mean(rates.configmap))
      }, medians ${
        pct(quantile(rates.crontab, 0.5) / quantile(rates.configmap, 0.5))
      }, per-round ratio median ${pct(quantile(ratios, 0.5))} (p25 ${
        pct(quantile(ratios, 0.25))
      }, p75 ${pct(quantile(ratios, 0.75))})`,
    );
  } finally {
    await api.close();
  }
}

const dir = await Deno.makeTempDir({ prefix: "hyperplane-crd-bench-" });
try {
  const sqlite = cachedStoreFactory(
    openSqliteStoreFactory({ path: `${dir}/state.db` }),
    // Eager: in a server the controllers' informers start every cache.
    { logger: silentLogger, eager: true },
  );
  try {
    await runGroup("sqlite", sqlite);
  } finally {
    await sqlite.close();
  }
  const memory = await memoryBackend().open({}, {
    dataDir: dir,
    logger: silentLogger,
  });
  try {
    await runGroup("memory", memory);
  } finally {
    await memory.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
