/**
 * The Prometheus text exposition of metric families, written by
 * `prom-client`'s registry (escaping, number formatting). The library is
 * loaded on the first scrape, not at start: servers that are never scraped
 * do not carry it.
 *
 * @module
 */

import type { HistogramSeries, Sample } from "./request_metrics.ts";
import { DURATION_BUCKETS } from "./request_metrics.ts";

/** One metric family to expose. */
export type MetricFamily =
  | {
    name: string;
    help: string;
    type: "counter" | "gauge";
    samples: Sample[];
  }
  | {
    name: string;
    help: string;
    type: "histogram";
    series: HistogramSeries[];
  };

/** The content type of the text format (version 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE =
  "text/plain; version=0.0.4; charset=utf-8";

interface Value {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

function valuesOf(f: MetricFamily): Value[] {
  if (f.type !== "histogram") return f.samples;
  const out: Value[] = [];
  for (const s of f.series) {
    DURATION_BUCKETS.forEach((le, i) =>
      out.push({
        labels: { ...s.labels, le: String(le) },
        value: s.buckets[i],
        metricName: `${f.name}_bucket`,
      })
    );
    out.push({
      labels: { ...s.labels, le: "+Inf" },
      value: s.count,
      metricName: `${f.name}_bucket`,
    });
    out.push({ labels: s.labels, value: s.sum, metricName: `${f.name}_sum` });
    out.push({
      labels: s.labels,
      value: s.count,
      metricName: `${f.name}_count`,
    });
  }
  return out;
}

/** Renders `families` in the Prometheus text format. */
export async function renderMetrics(families: MetricFamily[]): Promise<string> {
  const { Registry } = await import("prom-client");
  const registry = new Registry();
  for (const f of families) {
    const metric = {
      name: f.name,
      help: f.help,
      type: f.type,
      aggregator: "sum",
      get: () =>
        Promise.resolve({
          name: f.name,
          help: f.help,
          type: f.type,
          aggregator: "sum",
          values: valuesOf(f),
        }),
    };
    registry.registerMetric(
      metric as unknown as Parameters<typeof registry.registerMetric>[0],
    );
  }
  return await registry.metrics();
}
