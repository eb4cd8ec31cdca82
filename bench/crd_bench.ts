/**
 * Custom resource create throughput against ConfigMap create throughput
 * (issue 8: ≥ 80%), both through the API server's handler on the SQLite
 * backend behind the watch cache (as `hyperplane server` runs it), in the
 * same run. The CronTab CRD is created through the API and served by the
 * CRD controller, so the dynamic path (per-cluster registry, schema
 * pruning, defaulting, validation) is what is measured.
 *
 *     deno bench -A bench/crd_bench.ts
 *
 * The summary prints the CronTab create time as a multiple of the ConfigMap
 * baseline; throughput ratio = 1 / that multiple.
 *
 * @module
 */

import { createApiServer } from "../apiserver/mod.ts";
import { cronTabCrd } from "../apiserver/crd/_testdata.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";

const dir = await Deno.makeTempDir({ prefix: "hyperplane-crd-bench-" });
const storage = cachedStoreFactory(
  openSqliteStoreFactory({ path: `${dir}/state.db` }),
  { logger: silentLogger },
);
const api = await createApiServer({ storage, logger: silentLogger });
const user = { username: "admin", groups: ["system:masters"] };

function post(path: string, body: unknown): Promise<Response> {
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

await expectCreated(
  await post(
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
  if (res.status === 200) break;
  if (i > 500) throw new Error("the CronTab CRD was not served");
  await new Promise((r) => setTimeout(r, 10));
}

let n = 0;

Deno.bench({
  name: "configmap create",
  group: "create",
  baseline: true,
  async fn() {
    await expectCreated(
      await post("/api/v1/namespaces/default/configmaps", {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${n++}`, labels: { app: "bench" } },
        data: { schedule: "* * * * */5", image: "img", replicas: "3" },
      }),
    );
  },
});

Deno.bench({
  name: "crontab create (custom resource: prune, default, validate)",
  group: "create",
  async fn() {
    await expectCreated(
      await post("/apis/stable.example.com/v1/namespaces/default/crontabs", {
        apiVersion: "stable.example.com/v1",
        kind: "CronTab",
        metadata: { name: `ct-${n++}`, labels: { app: "bench" } },
        spec: { cronSpec: "* * * * */5", image: "img", replicas: 3 },
      }),
    );
  },
});

globalThis.addEventListener("unload", () => {
  // Deno.bench has no teardown hook; the temp dir is removed best-effort.
  try {
    Deno.removeSync(dir, { recursive: true });
  } catch {
    // already gone
  }
});
