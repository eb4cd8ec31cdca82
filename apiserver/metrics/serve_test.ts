import assert from "node:assert/strict";
import {
  ADMIN,
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const CM = "/api/v1/namespaces/default/configmaps";

function sample(text: string, name: string, labels: Record<string, string>) {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{")) continue;
    const inner = line.slice(name.length + 1, line.lastIndexOf("}"));
    if (want.every((w) => inner.split(",").includes(w))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

Deno.test("GET /metrics exposes request, watch, storage and process metrics", async () => {
  const s = await startTestServer();
  try {
    assert.equal(
      (await s.request("POST", CM, { body: configMap("m1") })).status,
      201,
    );
    assert.equal(
      (await s.request("POST", `${CM}?dryRun=All`, { body: configMap("m2") }))
        .status,
      201,
    );
    assert.equal((await s.request("GET", `${CM}/m1`)).status, 200);
    assert.equal((await s.request("GET", `${CM}/none`)).status, 404);
    assert.equal((await s.request("GET", "/api/v1/nothings")).status, 404);
    const watch = await s.raw("GET", `${CM}?watch=true`);

    const res = await s.raw("GET", "/metrics");
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-type"),
      "text/plain; version=0.0.4; charset=utf-8",
    );
    const text = await res.text();
    const cm = {
      group: "",
      version: "v1",
      resource: "configmaps",
      subresource: "",
      component: "apiserver",
    };
    const total = (labels: Record<string, string>) =>
      sample(text, "apiserver_request_total", { ...cm, ...labels });
    assert.equal(
      total({ verb: "POST", dry_run: "", scope: "resource", code: "201" }),
      1,
    );
    assert.equal(total({ verb: "POST", dry_run: "All", code: "201" }), 1);
    assert.equal(total({ verb: "GET", code: "200" }), 1);
    assert.equal(total({ verb: "GET", code: "404" }), 1);
    // an unknown resource is not a label value (bounded cardinality)
    assert.equal(
      sample(text, "apiserver_request_total", {
        verb: "GET",
        resource: "",
        code: "404",
      }),
      1,
    );
    assert.equal(
      sample(text, "apiserver_request_duration_seconds_count", {
        ...cm,
        verb: "GET",
      }),
      2,
    );
    assert.equal(
      sample(text, "apiserver_request_duration_seconds_bucket", {
        ...cm,
        verb: "GET",
        le: "+Inf",
      }),
      2,
    );
    assert.equal(
      sample(text, "apiserver_longrunning_requests", {
        ...cm,
        verb: "WATCH",
        scope: "namespace",
      }),
      1,
    );
    assert.equal(
      sample(text, "apiserver_current_inflight_requests", {
        request_kind: "readOnly",
      }),
      1,
      "the scrape itself",
    );
    assert.equal(
      sample(text, "apiserver_storage_objects", { resource: "configmaps" }),
      1,
    );
    assert.ok(
      sample(text, "apiserver_storage_objects", { resource: "namespaces" })! >=
        4,
    );
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    assert.match(text, /^process_start_time_seconds \d+$/m);
    assert.match(text, /^process_cpu_seconds_total [\d.e-]+$/m);
    await watch.body!.cancel();
  } finally {
    await s.close();
  }
});

Deno.test("/metrics is for system:masters and system:monitoring, at the root only", async () => {
  const s = await startTestServer();
  try {
    const bob = { username: "bob", groups: ["system:authenticated"] };
    assert.equal(
      (await s.request("GET", "/metrics", { user: bob })).status,
      403,
    );
    const prometheus = {
      username: "prometheus",
      groups: ["system:monitoring", "system:authenticated"],
    };
    assert.equal(
      (await s.request("GET", "/metrics", { user: prometheus })).status,
      200,
    );
    assert.equal(
      (await s.request("GET", "/clusters/t1/metrics", { user: ADMIN })).status,
      404,
    );
    assert.equal(
      (await s.request("POST", "/metrics", { user: ADMIN, body: {} })).status,
      405,
    );
  } finally {
    await s.close();
  }
});
