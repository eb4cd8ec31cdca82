import assert from "node:assert/strict";
import { DURATION_BUCKETS } from "./request_metrics.ts";
import { renderMetrics } from "./exposition.ts";

Deno.test("families render in the Prometheus text format, labels escaped", async () => {
  const text = await renderMetrics([
    {
      name: "demo_total",
      help: "A counter.",
      type: "counter",
      samples: [{ labels: { path: 'a"b\\c\nd' }, value: 3 }],
    },
    {
      name: "demo_seconds",
      help: "A histogram.",
      type: "histogram",
      series: [{
        labels: { verb: "GET" },
        buckets: DURATION_BUCKETS.map((_, i) => (i === 0 ? 1 : 2)),
        sum: 0.5,
        count: 2,
      }],
    },
  ]);
  const lines = text.split("\n");
  assert.ok(lines.includes("# HELP demo_total A counter."));
  assert.ok(lines.includes("# TYPE demo_total counter"));
  assert.ok(lines.includes('demo_total{path="a\\"b\\\\c\\nd"} 3'), text);
  assert.ok(lines.includes("# TYPE demo_seconds histogram"));
  assert.ok(lines.includes('demo_seconds_bucket{verb="GET",le="0.005"} 1'));
  assert.ok(lines.includes('demo_seconds_bucket{verb="GET",le="60"} 2'));
  assert.ok(lines.includes('demo_seconds_bucket{verb="GET",le="+Inf"} 2'));
  assert.ok(lines.includes('demo_seconds_sum{verb="GET"} 0.5'));
  assert.ok(lines.includes('demo_seconds_count{verb="GET"} 2'));
});
