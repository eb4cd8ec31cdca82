/**
 * The API server's Prometheus metrics (`GET /metrics`).
 *
 * @module
 */

export {
  DURATION_BUCKETS,
  type HistogramSeries,
  reportedVerb,
  type RequestLabels,
  RequestMetrics,
  type Sample,
  scopeOf,
} from "./request_metrics.ts";
export {
  type MetricFamily,
  PROMETHEUS_CONTENT_TYPE,
  renderMetrics,
} from "./exposition.ts";
export { nonResourceLabels, resourceLabels } from "./labels.ts";
export { metricFamilies, type MetricsSources, serveMetrics } from "./serve.ts";
