// deno-lint-ignore-file no-explicit-any
/**
 * Controller throughput on SQLite (behind the watch cache, in-process API):
 * the garbage collector removing N dependents of one deleted owner, and the
 * namespace controller emptying a namespace of N objects until it is gone.
 * Each is compared with a baseline measured in the same run: the same
 * number of deletes sent straight to the API (20 in flight) with no
 * controller involved.
 *
 * Run: `deno run -A bench/controllers_bench.ts [N]` (default N = 10000).
 *
 * @module
 */

import { silentLogger } from "../log/mod.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import { createApiServer } from "../apiserver/mod.ts";
import { startControllers } from "../controllers/mod.ts";

const N = Number(Deno.args[0] ?? 10_000);
const ADMIN = { user: { username: "bench", groups: ["system:masters"] } };

async function withApi<T>(
  run: (
    call: (m: string, p: string, b?: unknown) => Promise<any>,
    handler: any,
  ) => Promise<T>,
): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-bench-ctrl-" });
  const backend = openSqliteStoreFactory({ path: `${dir}/state.db` });
  const storage = cachedStoreFactory(backend, { logger: silentLogger });
  const api = await createApiServer({ storage, logger: silentLogger });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api.handler(
      new Request(`http://x${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      ADMIN,
    );
    const text = await res.text();
    if (res.status >= 300 && res.status !== 404) {
      throw new Error(`${method} ${path}: ${res.status} ${text}`);
    }
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  try {
    return await run(call, api.handler);
  } finally {
    await api.close();
    await storage.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function inParallel(n: number, f: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < n) await f(next++);
  }));
}

async function until(cond: () => Promise<boolean>) {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 20));
}

const CM = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function seed(call: any, ns: string, owner?: any) {
  if (ns !== "default") {
    await call("POST", "/api/v1/namespaces", { metadata: { name: ns } });
  }
  await inParallel(
    N,
    (i) =>
      call(
        "POST",
        i % 2 && !owner ? `/api/v1/namespaces/${ns}/secrets` : CM(ns),
        {
          metadata: {
            name: `obj-${i}`,
            ...(owner
              ? {
                ownerReferences: [{
                  apiVersion: "v1",
                  kind: "ConfigMap",
                  name: owner.metadata.name,
                  uid: owner.metadata.uid,
                }],
              }
              : {}),
          },
          data: {},
        },
      ),
  );
}

function report(name: string, baselineMs: number, ms: number) {
  const rate = (t: number) => Math.round(N / (t / 1000));
  console.log(
    `${name.padEnd(22)} baseline ${Math.round(baselineMs)} ms (${
      rate(baselineMs)
    }/s)  controller ${Math.round(ms)} ms (${rate(ms)}/s)  ratio ${
      (ms / baselineMs).toFixed(2)
    }x baseline time`,
  );
}

// Baseline: N direct deletes through the API, 20 in flight.
const baseline = await withApi(async (call) => {
  await seed(call, "default", {
    metadata: { name: "x", uid: crypto.randomUUID() },
  });
  const t0 = performance.now();
  await inParallel(N, (i) => call("DELETE", `${CM("default")}/obj-${i}`));
  return performance.now() - t0;
});

const gc = await withApi(async (call, handler) => {
  const owner =
    (await call("POST", CM("default"), { metadata: { name: "owner" } })).body;
  const running = startControllers({
    handler,
    logger: silentLogger,
    controllers: "garbagecollector",
  });
  // Dependents are created while the collector runs (its graph is built).
  await seed(call, "default", owner);
  await until(() => Promise.resolve(running.isLeader()));
  const t0 = performance.now();
  await call("DELETE", `${CM("default")}/owner`);
  await until(async () =>
    (await call("GET", `${CM("default")}?limit=1`)).body.items.length === 0
  );
  const ms = performance.now() - t0;
  await running.stop();
  return ms;
});
report("garbage collection", baseline, gc);

const ns = await withApi(async (call, handler) => {
  await seed(call, "big");
  const running = startControllers({
    handler,
    logger: silentLogger,
    controllers: "namespace",
  });
  const t0 = performance.now();
  await call("DELETE", "/api/v1/namespaces/big");
  await until(async () =>
    (await call("GET", "/api/v1/namespaces/big")).status === 404
  );
  const ms = performance.now() - t0;
  await running.stop();
  return ms;
});
report("namespace deletion", baseline, ns);
