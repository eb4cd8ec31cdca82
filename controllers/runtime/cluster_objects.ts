/**
 * An informer's local store: objects by cluster, then by `namespace/name`
 * (or `name`). A cross-cluster informer holds every cluster's objects; one
 * map keyed by `cluster|namespace/name` made each event build, flatten and
 * hash a new key and look it up in a table of hundreds of thousands of
 * entries, a few cache misses each (the largest single cost of the
 * controllers while clusters were created). A cluster's objects arrive
 * together, so its small map stays in the cache while they do.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";

/** See the module doc. `cluster` is `""` for a single-cluster informer. */
export class ClusterObjects {
  readonly #byCluster = new Map<string, Map<string, KubeObject>>();
  #size = 0;

  /** How many objects it holds. */
  get size(): number {
    return this.#size;
  }

  /** The object `key` of `cluster`. */
  get(cluster: string, key: string): KubeObject | undefined {
    return this.#byCluster.get(cluster)?.get(key);
  }

  /** True when it holds `key` of `cluster`. */
  has(cluster: string, key: string): boolean {
    return this.#byCluster.get(cluster)?.has(key) ?? false;
  }

  /** Stores `obj` as `key` of `cluster`. */
  set(cluster: string, key: string, obj: KubeObject): void {
    let objects = this.#byCluster.get(cluster);
    if (objects === undefined) {
      objects = new Map();
      this.#byCluster.set(cluster, objects);
    }
    const before = objects.size;
    objects.set(key, obj);
    this.#size += objects.size - before;
  }

  /** Drops `key` of `cluster`; false when it held none. */
  delete(cluster: string, key: string): boolean {
    const objects = this.#byCluster.get(cluster);
    if (!objects?.delete(key)) return false;
    this.#size--;
    if (objects.size === 0) this.#byCluster.delete(cluster);
    return true;
  }

  /** Every object. */
  *values(): IterableIterator<KubeObject> {
    for (const objects of this.#byCluster.values()) yield* objects.values();
  }

  /** Every object with its cluster and key. */
  *entries(): IterableIterator<[string, string, KubeObject]> {
    for (const [cluster, objects] of this.#byCluster) {
      for (const [key, obj] of objects) yield [cluster, key, obj];
    }
  }
}

/** The key of `obj` within its cluster: `namespace/name` (or `name`). */
export function localKeyOf(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? "";
  return ns ? `${ns}/${name}` : name;
}
