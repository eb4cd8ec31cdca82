/**
 * Request metrics as kube-apiserver names them: `apiserver_request_total`,
 * `apiserver_request_duration_seconds` and
 * `apiserver_current_inflight_requests`. Recording is a few map updates per
 * request; the Prometheus exposition is built only when scraped
 * (`exposition.ts`).
 *
 * @module
 */

/** The labels of one request, as upstream's `MonitorRequest`. */
export interface RequestLabels {
  /** Upstream's reported verb: GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, DELETECOLLECTION. */
  verb: string;
  dryRun: boolean;
  group: string;
  version: string;
  /** Empty for non-resource requests and unknown resources. */
  resource: string;
  subresource: string;
  /** `resource` (one object), `namespace`, `cluster` or empty. */
  scope: string;
}

/** Upstream's request duration buckets (seconds). */
export const DURATION_BUCKETS: readonly number[] = [
  0.005,
  0.025,
  0.05,
  0.1,
  0.2,
  0.4,
  0.6,
  0.8,
  1,
  1.25,
  1.5,
  2,
  3,
  4,
  5,
  6,
  8,
  10,
  15,
  20,
  30,
  45,
  60,
];

/** One labelled histogram series. */
export interface HistogramSeries {
  /** The series' label values by label name. */
  labels: Record<string, string>;
  /** Cumulative counts per bucket of {@linkcode DURATION_BUCKETS}. */
  buckets: number[];
  /** Sum of all observed values. */
  sum: number;
  /** Number of observations. */
  count: number;
}

/** One labelled counter or gauge value. */
export interface Sample {
  /** The sample's label values by label name. */
  labels: Record<string, string>;
  /** The counter or gauge value. */
  value: number;
}

/** Upstream's verb label for a request's Kubernetes verb. */
export function reportedVerb(
  verb: string,
  method: string,
  contentType: string | null,
): string {
  switch (verb) {
    case "get":
      return "GET";
    case "list":
      return "LIST";
    case "watch":
      return "WATCH";
    case "create":
      return "POST";
    case "update":
      return "PUT";
    case "patch":
      return contentType?.startsWith("application/apply-patch")
        ? "APPLY"
        : "PATCH";
    case "delete":
      return "DELETE";
    case "deletecollection":
      return "DELETECOLLECTION";
    default:
      return method.toUpperCase();
  }
}

/** Upstream's `CleanScope`. */
export function scopeOf(
  info: { name: string; namespace: string; verb: string },
): string {
  if (info.name !== "" || info.verb === "create") return "resource";
  if (info.namespace !== "") return "namespace";
  return "cluster";
}

function baseLabels(l: RequestLabels): Record<string, string> {
  return {
    verb: l.verb,
    dry_run: l.dryRun ? "All" : "",
    group: l.group,
    version: l.version,
    resource: l.resource,
    subresource: l.subresource,
    scope: l.scope,
    component: "apiserver",
  };
}

/** Counters, histograms and gauges of the requests one server handled. */
export class RequestMetrics {
  #totals = new Map<string, Sample>();
  #durations = new Map<string, HistogramSeries>();
  #inflight = { readOnly: 0, mutating: 0 };

  /** A request starts; returns the function that ends it (idempotent). */
  begin(method: string): () => void {
    const kind = method === "GET" || method === "HEAD"
      ? "readOnly"
      : "mutating";
    this.#inflight[kind]++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inflight[kind]--;
    };
  }

  /**
   * Records a finished request (a watch when its response starts, without
   * a duration: it is long-running, as upstream leaves it out of the
   * latency histogram).
   */
  observe(l: RequestLabels, code: number, seconds?: number): void {
    // A cheap key on the hot path; the label objects are built once per series.
    const baseKey =
      `${l.verb}\0${l.dryRun}\0${l.group}\0${l.version}\0${l.resource}\0${l.subresource}\0${l.scope}`;
    const totalKey = `${baseKey}\0${code}`;
    let total = this.#totals.get(totalKey);
    if (!total) {
      total = { labels: { ...baseLabels(l), code: String(code) }, value: 0 };
      this.#totals.set(totalKey, total);
    }
    total.value++;
    if (seconds === undefined) return;
    let h = this.#durations.get(baseKey);
    if (!h) {
      h = {
        labels: baseLabels(l),
        buckets: DURATION_BUCKETS.map(() => 0),
        sum: 0,
        count: 0,
      };
      this.#durations.set(baseKey, h);
    }
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (seconds <= DURATION_BUCKETS[i]) h.buckets[i]++;
    }
    h.sum += seconds;
    h.count++;
  }

  /** `apiserver_request_total` samples. */
  totals(): Sample[] {
    return [...this.#totals.values()];
  }

  /** `apiserver_request_duration_seconds` series. */
  durations(): HistogramSeries[] {
    return [...this.#durations.values()];
  }

  /** `apiserver_current_inflight_requests` samples. */
  inflight(): Sample[] {
    return [
      { labels: { request_kind: "mutating" }, value: this.#inflight.mutating },
      { labels: { request_kind: "readOnly" }, value: this.#inflight.readOnly },
    ];
  }
}
