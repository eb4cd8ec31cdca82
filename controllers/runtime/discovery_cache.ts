/**
 * Per-cluster discovery with a time-to-live, so a burst of syncs shares
 * one discovery round trip.
 *
 * @module
 */

import {
  type ApiClient,
  discoverResources,
  type DiscoveryResult,
} from "../client/mod.ts";

/** Caches {@linkcode discoverResources} per cluster for `ttlMs`. */
export class DiscoveryCache {
  #client: ApiClient;
  #ttlMs: number;
  #entries = new Map<
    string,
    { at: number; result: Promise<DiscoveryResult> }
  >();

  constructor(client: ApiClient, ttlMs = 5_000) {
    this.#client = client;
    this.#ttlMs = ttlMs;
  }

  /** The (possibly cached) discovery of `cluster`. */
  get(cluster: string): Promise<DiscoveryResult> {
    const now = performance.now();
    const e = this.#entries.get(cluster);
    if (e && now - e.at < this.#ttlMs) return e.result;
    const result = discoverResources(this.#client, cluster);
    this.#entries.set(cluster, { at: now, result });
    result.catch(() => this.#entries.delete(cluster));
    return result;
  }

  /** Forgets `cluster`'s entry (the next `get` asks again). */
  invalidate(cluster: string): void {
    this.#entries.delete(cluster);
  }
}
