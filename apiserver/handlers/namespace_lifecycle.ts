/**
 * Namespace admission's memory of namespaces this server was asked to delete.
 *
 * Namespaced creates read their namespace from the watch cache (as upstream's
 * NamespaceLifecycle plugin reads its informer). Right after a namespace is
 * marked for deletion the cache may not show it yet, so — as upstream's
 * `forceLiveLookupCache` — a namespace whose deletion this server started in
 * the last {@linkcode LIVE_LOOKUP_TTL_MS} is read with a consistent read.
 *
 * @module
 */

/** How long after a namespace delete its admission reads are consistent. */
export const LIVE_LOOKUP_TTL_MS = 30_000;

/** Namespaces recently deleted through this server, per cluster. */
export class NamespaceLifecycle {
  #deleted = new Map<string, number>();
  #now: () => number;

  /** `now` is a millisecond clock (tests may pin it). */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records that `namespace` of `cluster` is being deleted. */
  deleting(cluster: string, namespace: string): void {
    const now = this.#now();
    if (this.#deleted.size > 1024) {
      for (const [k, at] of this.#deleted) {
        if (now - at > LIVE_LOOKUP_TTL_MS) this.#deleted.delete(k);
      }
    }
    this.#deleted.set(`${cluster}/${namespace}`, now);
  }

  /** True when admission must read `namespace` of `cluster` consistently. */
  needsLiveLookup(cluster: string, namespace: string): boolean {
    if (this.#deleted.size === 0) return false;
    const k = `${cluster}/${namespace}`;
    const at = this.#deleted.get(k);
    if (at === undefined) return false;
    if (this.#now() - at <= LIVE_LOOKUP_TTL_MS) return true;
    this.#deleted.delete(k);
    return false;
  }
}
