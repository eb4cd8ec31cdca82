/**
 * Upstream's `apiserver_storage_transformation_operations_total`: one count
 * per value transformed, by direction (`to_storage`, `from_storage`),
 * provider prefix (`k8s:enc:aesgcm:v1:`, `identity`; key names are left out
 * to keep the label set bounded) and status (`OK`, or `Unknown` for a value
 * that did not decrypt). The family is plain data in the shape of
 * `apiserver/metrics`' `MetricFamily`, so storage does not import the API
 * server.
 *
 * @module
 */

/** Transformation direction, as upstream labels it. */
export type TransformationType = "to_storage" | "from_storage";

/** A counter family as `/metrics` renders it. */
export interface CounterFamily {
  name: string;
  help: string;
  type: "counter";
  samples: { labels: Record<string, string>; value: number }[];
}

/** Counts transformations; shared by every store of one server. */
export class TransformationMetrics {
  readonly #counts = new Map<string, number>();

  /** Counts one transformation. */
  record(type: TransformationType, prefix: string, ok: boolean): void {
    const id = `${type}\u0000${prefix}\u0000${ok ? "OK" : "Unknown"}`;
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
  }

  /** The count for one label set (0 when never seen). */
  count(type: TransformationType, prefix: string, ok = true): number {
    return this.#counts.get(
      `${type}\u0000${prefix}\u0000${ok ? "OK" : "Unknown"}`,
    ) ?? 0;
  }

  /** The metric family, samples sorted by labels. */
  families(): CounterFamily[] {
    const samples = [...this.#counts].sort(([a], [b]) => a < b ? -1 : 1)
      .map(([id, value]) => {
        const [type, prefix, status] = id.split("\u0000");
        return {
          labels: {
            transformation_type: type,
            transformer_prefix: prefix,
            status,
          },
          value,
        };
      });
    return [{
      name: "apiserver_storage_transformation_operations_total",
      help: "Total number of transformations.",
      type: "counter",
      samples,
    }];
  }
}
