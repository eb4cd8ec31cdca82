/**
 * `GET /metrics`: the server's metrics in the Prometheus text format, with
 * kube-apiserver's names — requests (`apiserver_request_total`,
 * `apiserver_request_duration_seconds`, `apiserver_current_inflight_requests`,
 * `apiserver_longrunning_requests`), stored objects per resource
 * (`apiserver_storage_objects`) and the process (`process_*`).
 *
 * @module
 */

import { methodNotAllowedError } from "../status/mod.ts";
import {
  type MetricFamily,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from "./exposition.ts";
import type { RequestMetrics, Sample } from "./request_metrics.ts";

/** Where the exposed values come from. */
export interface MetricsSources {
  requests: RequestMetrics;
  /** Open watches by their labels (group, version, resource, scope). */
  watches(): Sample[];
  /** Stored objects by resource (`configmaps`, `roles.rbac.authorization.k8s.io`). */
  storageObjects(): Promise<Sample[]>;
  /** When the process started (ms since the epoch). */
  startedAt: number;
  /** More families, exposed after the built-in ones. */
  extra?: () => MetricFamily[];
}

async function processSamples(startedAt: number): Promise<MetricFamily[]> {
  const { cpuUsage } = await import("node:process");
  const cpu = cpuUsage();
  return [
    {
      name: "process_cpu_seconds_total",
      help: "Total user and system CPU time spent in seconds.",
      type: "counter",
      samples: [{ labels: {}, value: (cpu.user + cpu.system) / 1e6 }],
    },
    {
      name: "process_resident_memory_bytes",
      help: "Resident memory size in bytes.",
      type: "gauge",
      samples: [{ labels: {}, value: Deno.memoryUsage().rss }],
    },
    {
      name: "process_start_time_seconds",
      help: "Start time of the process since unix epoch in seconds.",
      type: "gauge",
      samples: [{ labels: {}, value: Math.floor(startedAt / 1000) }],
    },
  ];
}

/** The families `/metrics` exposes. */
export async function metricFamilies(
  src: MetricsSources,
): Promise<MetricFamily[]> {
  return [
    {
      name: "apiserver_request_total",
      help:
        "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
      type: "counter",
      samples: src.requests.totals(),
    },
    {
      name: "apiserver_request_duration_seconds",
      help:
        "Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
      type: "histogram",
      series: src.requests.durations(),
    },
    {
      name: "apiserver_current_inflight_requests",
      help:
        "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
      type: "gauge",
      samples: src.requests.inflight(),
    },
    {
      name: "apiserver_longrunning_requests",
      help:
        "Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component.",
      type: "gauge",
      samples: src.watches(),
    },
    {
      name: "apiserver_storage_objects",
      help: "Number of stored objects at the time of last check split by kind.",
      type: "gauge",
      samples: await src.storageObjects(),
    },
    ...await processSamples(src.startedAt),
    ...src.extra?.() ?? [],
  ];
}

/** Answers `GET /metrics`. */
export async function serveMetrics(
  req: Request,
  src: MetricsSources,
): Promise<Response> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    throw methodNotAllowedError();
  }
  const text = await renderMetrics(await metricFamilies(src));
  return new Response(req.method === "HEAD" ? null : text, {
    status: 200,
    headers: { "content-type": PROMETHEUS_CONTENT_TYPE },
  });
}
