/**
 * Custom resource create throughput against ConfigMap create throughput,
 * both through the API server's handler over the memory backend, in the
 * same run (issue 8 asks for ≥ 80%). Run:
 *
 *     deno bench -A apiserver/crd/create_bench.ts
 *
 * The summary prints the CronTab create time as a multiple of the
 * ConfigMap baseline; throughput ratio = 1 / that multiple.
 *
 * @module
 */

import { BUILTIN_RESOURCES } from "../apiserver/resources/registry.ts";
import { startTestServer } from "../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../tests/support/crd_testdata.ts";
import { computeCrdStatus } from "../apiserver/crd/status.ts";
import { crdToDefinitions } from "../apiserver/crd/to_definition.ts";
import { defaultCrd } from "../apiserver/crd/validate_crd.ts";

const crd = cronTabCrd();
defaultCrd(crd);
crd.status = computeCrdStatus(crd, { others: [], now: new Date() });
const v1 = crdToDefinitions(crd).find((v) => v.definition.version === "v1")!;
const srv = await startTestServer({
  resources: [...BUILTIN_RESOURCES, v1.definition],
});

let n = 0;

Deno.bench({
  name: "configmap create",
  group: "create",
  baseline: true,
  async fn() {
    const res = await srv.raw("POST", "/api/v1/namespaces/default/configmaps", {
      body: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${n++}`, labels: { app: "bench" } },
        data: { schedule: "* * * * */5", image: "img", replicas: "3" },
      },
    });
    if (res.status !== 201) throw new Error(await res.text());
    await res.body?.cancel();
  },
});

Deno.bench({
  name: "crontab create (schema validation, pruning, defaulting)",
  group: "create",
  async fn() {
    const res = await srv.raw(
      "POST",
      "/apis/stable.example.com/v1/namespaces/default/crontabs",
      {
        body: {
          apiVersion: "stable.example.com/v1",
          kind: "CronTab",
          metadata: { name: `ct-${n++}`, labels: { app: "bench" } },
          spec: { cronSpec: "* * * * */5", image: "img", replicas: 3 },
        },
      },
    );
    if (res.status !== 201) throw new Error(await res.text());
    await res.body?.cancel();
  },
});

Deno.bench({
  name: "crontab schema hooks alone (prune, default, validate, CEL)",
  group: "hooks",
  fn() {
    const obj = {
      apiVersion: "stable.example.com/v1",
      kind: "CronTab",
      metadata: { name: "x", namespace: "default" },
      spec: { cronSpec: "* * * * */5", image: "img", replicas: 3 },
    };
    v1.definition.prepareForCreate!(obj);
    if (v1.definition.validate!(obj).length > 0) throw new Error("invalid");
  },
});
