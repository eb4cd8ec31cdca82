/**
 * How many objects (and namespaces) each virtual cluster holds, counted on
 * demand from the watch cache (each served resource's keys under the
 * cluster prefix, from its sorted index: from storage while that
 * resource's cache is not filled yet) and
 * kept for a short while, bumped by every admitted create in
 * between, so a limited cluster does not pay a full count per write. The
 * clusters written to since their status was refreshed are remembered
 * (`takeDirty`), so the lifecycle controller refreshes `status.objects` of
 * busy clusters only, never of all 10,000.
 *
 * @module
 */

import {
  clusterPrefix,
  type ResourceRef,
  type Store,
} from "../../storage/mod.ts";
import { keyReadsOf } from "../../storage/cacher/mod.ts";

/** Options for {@linkcode ClusterObjectCounts}. */
export interface ClusterObjectCountsOptions {
  /** The stored resources `cluster` serves (custom ones included). */
  resources(cluster: string): ResourceRef[];
  storeFor(ref: ResourceRef): Store;
  /** How long a count is reused, bumped by creates (ms, default 1000). */
  ttlMs?: number;
}

/** One cluster's counts. */
export interface Counts {
  objects: number;
  namespaces: number;
}

interface Entry extends Counts {
  at: number;
}

/** See the module doc. */
export class ClusterObjectCounts {
  readonly #opts: ClusterObjectCountsOptions;
  readonly #ttl: number;
  readonly #cache = new Map<string, Entry>();
  #dirty = new Set<string>();

  constructor(opts: ClusterObjectCountsOptions) {
    this.#opts = opts;
    this.#ttl = opts.ttlMs ?? 1000;
  }

  /** The counts of `cluster`, at most `ttlMs` old (plus admitted creates). */
  async get(cluster: string): Promise<Counts> {
    const hit = this.#cache.get(cluster);
    if (hit && performance.now() - hit.at < this.#ttl) return hit;
    return await this.count(cluster);
  }

  /** Counts `cluster` now (and caches the result). */
  async count(cluster: string): Promise<Counts> {
    let objects = 0;
    let namespaces = 0;
    for (const ref of this.#opts.resources(cluster)) {
      const n = await this.#countOne(ref, cluster);
      objects += n;
      if (!ref.group && ref.resource === "namespaces") namespaces = n;
    }
    const entry = { objects, namespaces, at: performance.now() };
    this.#cache.set(cluster, entry);
    return entry;
  }

  /**
   * One resource's objects in `cluster`: the watch cache's count of its
   * keys (as consistent as a list), else a one-item page and the backend's
   * count of the rest (no values read), else the whole list.
   */
  async #countOne(ref: ResourceRef, cluster: string): Promise<number> {
    const store = this.#opts.storeFor(ref);
    const prefix = clusterPrefix({ ...ref, cluster });
    const counted = await keyReadsOf(store)?.countKeys(prefix);
    if (counted !== undefined) return counted;
    const page = await store.list(prefix, { recursive: true, limit: 1 });
    if (!page.continue) return page.items.length;
    if (page.remainingItemCount !== undefined) {
      return page.items.length + page.remainingItemCount;
    }
    const { items } = await store.list(prefix, {
      recursive: true,
      resourceVersion: "0",
    });
    return items.length;
  }

  /** Records an admitted create (and marks the cluster changed). */
  created(cluster: string, ref: ResourceRef): void {
    this.#dirty.add(cluster);
    const hit = this.#cache.get(cluster);
    if (!hit) return;
    hit.objects++;
    if (!ref.group && ref.resource === "namespaces") hit.namespaces++;
  }

  /** Marks `cluster` changed (a delete). */
  changed(cluster: string): void {
    this.#dirty.add(cluster);
  }

  /** The clusters changed since the last call. */
  takeDirty(): string[] {
    const out = [...this.#dirty];
    this.#dirty = new Set();
    return out;
  }

  /** Drops what is known of `cluster` (it is gone). */
  forget(cluster: string): void {
    this.#cache.delete(cluster);
    this.#dirty.delete(cluster);
  }
}
