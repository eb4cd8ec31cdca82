/**
 * Whether an etcd server's requested watch progress is ordered with its
 * events. Before the fixes of etcd#15220 (3.4.24 / 3.5.8) and etcd#17507
 * (3.4.31 / 3.5.13) a progress notification asked for with
 * `RequestProgress` could overtake events still queued for the watch: a
 * BOOKMARK at revision R arrived before an event at a revision ≤ R. A watch
 * cache that trusts it believes itself current while it lacks that event.
 * Kubernetes gates its consistent reads from the cache on the same versions.
 *
 * @module
 */

/**
 * True when etcd `version` (`3.5.17`, `3.4.23`, …) delivers requested
 * progress notifications in order with events: 3.4.31+, 3.5.13+, 3.6+.
 * Anything it cannot read counts as not ordered (fail closed).
 *
 * @example
 * ```ts
 * import { progressInOrder } from "./progress_order.ts";
 *
 * progressInOrder("3.5.17"); // true
 * progressInOrder("3.4.23"); // false
 * ```
 */
export function progressInOrder(version: string): boolean {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return false;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (major !== 3) return major > 3;
  if (minor === 4) return patch >= 31;
  if (minor === 5) return patch >= 13;
  return minor > 5;
}
