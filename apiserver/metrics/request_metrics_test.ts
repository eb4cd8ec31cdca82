import assert from "node:assert/strict";
import {
  DURATION_BUCKETS,
  reportedVerb,
  type RequestLabels,
  RequestMetrics,
  scopeOf,
} from "./request_metrics.ts";

const GET_CM: RequestLabels = {
  verb: "GET",
  dryRun: false,
  group: "",
  version: "v1",
  resource: "configmaps",
  subresource: "",
  scope: "resource",
};

Deno.test("verbs and scopes are labelled as upstream's", () => {
  assert.equal(reportedVerb("list", "GET", null), "LIST");
  assert.equal(reportedVerb("create", "POST", null), "POST");
  assert.equal(reportedVerb("update", "PUT", null), "PUT");
  assert.equal(
    reportedVerb("patch", "PATCH", "application/merge-patch+json"),
    "PATCH",
  );
  assert.equal(
    reportedVerb("patch", "PATCH", "application/apply-patch+yaml"),
    "APPLY",
  );
  assert.equal(
    reportedVerb("deletecollection", "DELETE", null),
    "DELETECOLLECTION",
  );
  assert.equal(reportedVerb("get", "GET", null), "GET");
  assert.equal(
    scopeOf({ name: "x", namespace: "ns", verb: "get" }),
    "resource",
  );
  assert.equal(
    scopeOf({ name: "", namespace: "ns", verb: "create" }),
    "resource",
  );
  assert.equal(
    scopeOf({ name: "", namespace: "ns", verb: "list" }),
    "namespace",
  );
  assert.equal(scopeOf({ name: "", namespace: "", verb: "list" }), "cluster");
});

Deno.test("requests are counted per code and timed in cumulative buckets", () => {
  const m = new RequestMetrics();
  m.observe(GET_CM, 200, 0.003);
  m.observe(GET_CM, 200, 0.3);
  m.observe(GET_CM, 404, 0.001);
  m.observe({ ...GET_CM, verb: "WATCH", scope: "namespace" }, 200);
  const totals = m.totals().map((s) => [s.labels.verb, s.labels.code, s.value]);
  assert.deepEqual(totals, [["GET", "200", 2], ["GET", "404", 1], [
    "WATCH",
    "200",
    1,
  ]]);
  assert.equal(m.totals()[0].labels.component, "apiserver");
  assert.equal(m.totals()[0].labels.dry_run, "");
  const [h] = m.durations();
  assert.equal(m.durations().length, 1, "a watch has no latency");
  assert.equal(h.count, 3);
  assert.ok(Math.abs(h.sum - 0.304) < 1e-9);
  const at = (le: number) => h.buckets[DURATION_BUCKETS.indexOf(le)];
  assert.equal(at(0.005), 2);
  assert.equal(at(0.2), 2);
  assert.equal(at(0.4), 3);
  assert.equal(at(60), 3);
});

Deno.test("in-flight requests are counted by kind until they end", () => {
  const m = new RequestMetrics();
  const a = m.begin("GET");
  const b = m.begin("POST");
  const c = m.begin("DELETE");
  const value = (kind: string) =>
    m.inflight().find((s) => s.labels.request_kind === kind)!.value;
  assert.equal(value("readOnly"), 1);
  assert.equal(value("mutating"), 2);
  b();
  b(); // idempotent
  a();
  assert.equal(value("readOnly"), 0);
  assert.equal(value("mutating"), 1);
  c();
  assert.equal(value("mutating"), 0);
});
