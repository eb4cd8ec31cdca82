import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { humanDuration } from "./duration.ts";

const TABLE =
  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

Deno.test("kubectl's Table requests get the kind's columns", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", "/api/v1/namespaces/default/configmaps", {
      body: configMap("t", { a: "1", b: "2" }),
    });
    const r = await s.request(
      "GET",
      "/api/v1/namespaces/default/configmaps?limit=500",
      { headers: { accept: TABLE } },
    );
    assert.equal(r.body.kind, "Table");
    assert.equal(r.body.apiVersion, "meta.k8s.io/v1");
    assert.deepEqual(
      r.body.columnDefinitions.map((c: { name: string }) => c.name),
      ["Name", "Data", "Age"],
    );
    assert.deepEqual(r.body.rows[0].cells.slice(0, 2), ["t", 2]);
    assert.equal(r.body.rows[0].object.kind, "PartialObjectMetadata");
    assert.match(r.body.metadata.resourceVersion, /^\d+$/);
    const full = await s.request(
      "GET",
      "/api/v1/namespaces/default/configmaps/t?includeObject=Object",
      { headers: { accept: TABLE } },
    );
    assert.equal(full.body.rows.length, 1);
    assert.equal(full.body.rows[0].object.kind, "ConfigMap");
    const ns = await s.request("GET", "/api/v1/namespaces", {
      headers: { accept: TABLE },
    });
    assert.deepEqual(
      ns.body.columnDefinitions.map((c: { name: string }) => c.name),
      ["Name", "Status", "Age"],
    );
  } finally {
    await s.close();
  }
});

Deno.test("ages print like kubectl", () => {
  assert.equal(humanDuration(45_000), "45s");
  assert.equal(humanDuration(5 * 60_000 + 30_000), "5m30s");
  assert.equal(humanDuration(30 * 60_000), "30m");
  assert.equal(humanDuration(5 * 3600_000 + 60_000), "5h1m");
  assert.equal(humanDuration(3 * 86400_000 + 3600_000), "3d1h");
  assert.equal(humanDuration(-5000), "<invalid>");
});
