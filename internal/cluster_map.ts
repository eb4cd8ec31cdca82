/**
 * A map of values kept by cluster, then by a key within the cluster (an
 * object's `namespace/name`, a uid). The controllers keep every cluster's
 * objects; one map keyed by `cluster|key` made each event build, flatten
 * and hash a new key string and look it up in a table of hundreds of
 * thousands of entries, a few cache misses each — the largest single cost
 * of the controllers while clusters were created. A cluster's objects
 * arrive together, so its small map stays in the cache while they do, and
 * many small tables held less than one large one (`bench/README.md`,
 * "Seventeenth round").
 *
 * @example
 * ```ts
 * import { ClusterMap } from "./cluster_map.ts";
 *
 * const objects = new ClusterMap<number>();
 * objects.set("team-a", "default/x", 1);
 * objects.set("team-b", "default/x", 2);
 * objects.get("team-b", "default/x"); // 2
 * objects.size; // 2
 * ```
 *
 * @module
 */

/** Values by cluster, then by key; see the module doc. */
export class ClusterMap<V> {
  readonly #byCluster = new Map<string, Map<string, V>>();
  #size = 0;

  /** How many values it holds, in all clusters. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key` in `cluster`. */
  get(cluster: string, key: string): V | undefined {
    return this.#byCluster.get(cluster)?.get(key);
  }

  /** True when it holds `key` in `cluster`. */
  has(cluster: string, key: string): boolean {
    return this.#byCluster.get(cluster)?.has(key) ?? false;
  }

  /** Stores `value` as `key` in `cluster` (in place of one held). */
  set(cluster: string, key: string, value: V): void {
    let values = this.#byCluster.get(cluster);
    if (values === undefined) {
      values = new Map();
      this.#byCluster.set(cluster, values);
    }
    const before = values.size;
    values.set(key, value);
    this.#size += values.size - before;
  }

  /** Drops `key` in `cluster` (and the cluster's map once empty); false when it held none. */
  delete(cluster: string, key: string): boolean {
    const values = this.#byCluster.get(cluster);
    if (!values?.delete(key)) return false;
    this.#size--;
    if (values.size === 0) this.#byCluster.delete(cluster);
    return true;
  }

  /** Every value. */
  *values(): IterableIterator<V> {
    for (const values of this.#byCluster.values()) yield* values.values();
  }

  /** Every value with its cluster and key. */
  *entries(): IterableIterator<[string, string, V]> {
    for (const [cluster, values] of this.#byCluster) {
      for (const [key, value] of values) yield [cluster, key, value];
    }
  }
}
