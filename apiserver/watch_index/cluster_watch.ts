/**
 * One resource watched across every cluster, each event handed to its owner
 * with the cluster named in the object's storage key.
 *
 * The initial state arrives as the watch's initial events
 * (`sendInitialEvents`, ended by the `k8s.io/initial-events-end` bookmark)
 * rather than from a separate list, because a list result carries no storage
 * keys and so no cluster. A watch that fails (410 Expired, a closed backend)
 * is restarted with a fresh initial state, and objects not seen again are
 * handed back as deleted. Everything stops with the owner's signal; no timer
 * outlives it. Handlers may be async: the loop waits for each before the
 * next event, so an owner that reconciles on events sees them in order.
 *
 * It lives in `apiserver/` rather than `storage/`: it is a client of the
 * storage contract (nothing in `storage/` needs it), its users are API
 * server plugins (admission policies and webhooks, RBAC), and it shares the
 * server's abortable {@linkcode sleep}.
 *
 * @module
 */

import {
  clusterFromKey,
  INITIAL_EVENTS_END_ANNOTATION,
  type KubeObject,
  type Store,
} from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { sleep } from "../../internal/sleep.ts";

/**
 * What a {@linkcode watchClusters} loop tells its owner; a handler that
 * returns a promise is awaited before the next event.
 */
export interface ClusterWatchHandlers {
  /**
   * An object was created or changed, or is part of an initial state
   * (`initial`: more of it follows until {@linkcode onSynced}).
   */
  onPut(
    cluster: string,
    key: string,
    object: KubeObject,
    initial: boolean,
  ): unknown;
  /**
   * An object handed to {@linkcode onPut} is gone: deleted (`last` is its
   * deleted state), or not seen again in the initial state after a restart
   * (then before `onSynced`; `last` holds only `metadata.name` and
   * `namespace`, read from the key: the loop keeps no object, only the
   * keys it handed over).
   */
  onDelete(
    cluster: string,
    key: string,
    last: KubeObject,
  ): unknown;
  /** An initial state is complete (at the start and after every restart). */
  onSynced?(): unknown;
  /** Called after each event that names a key and after `onSynced`. */
  onApplied?(): void;
}

/** Options for {@linkcode watchClusters}. */
export interface ClusterWatchOptions extends ClusterWatchHandlers {
  /** The resource's store across all clusters (meant to be the watch cache). */
  store: Store;
  /** The resource's key prefix (`resourcePrefix({ group, resource })`). */
  prefix: string;
  /** Ends the loop when aborted. */
  signal: AbortSignal;
  /** Names the watch in log lines (`"rbac"`: "rbac watch failed; retrying"). */
  name: string;
  logger?: Logger;
  /** Wait before restarting a watch that failed at once (ms, default 500). */
  retryDelayMs?: number;
  /**
   * Rejects with the error when the first watch fails before its initial
   * state is complete (an owner whose start must fail on a broken store)
   * instead of retrying; later failures are retried as always.
   */
  failFast?: boolean;
}

/**
 * What a deletion found by a re-list is told: the name and namespace in
 * `key` (`…/clusters/<cluster>/[<namespace>/]<name>`, see `storage/keys.ts`).
 */
function identityFromKey(key: string): KubeObject {
  const rest = CLUSTER_REST.exec(key)?.[1].split("/") ?? [];
  return rest.length === 2
    ? { metadata: { namespace: rest[0], name: rest[1] } }
    : { metadata: { name: rest[0] ?? "" } };
}

/** What follows `clusters/<cluster>/` in a key (as `clusterFromKey`). */
const CLUSTER_REST = /^\/registry\/(?:[^/]+\/)?[^/]+\/clusters\/[^/]+\/(.*)$/;

/**
 * Watches `prefix` across clusters until `signal` aborts; resolves then.
 *
 * @example
 * ```ts ignore
 * const loop = watchClusters({
 *   store, prefix, signal, name: "example",
 *   onPut: (cluster, key, object) => index.put(cluster, key, object),
 *   onDelete: (cluster, key) => index.remove(cluster, key),
 *   onSynced: () => ready.resolve(),
 * });
 * ```
 */
export async function watchClusters(opts: ClusterWatchOptions): Promise<void> {
  const { store, prefix, signal, name, logger } = opts;
  /** The keys handed to `onPut` and not yet deleted. */
  const known = new Set<string>();
  const remove = async (key: string, last?: KubeObject) => {
    if (!known.delete(key)) return;
    const cluster = clusterFromKey(key)!;
    const r = opts.onDelete(
      cluster,
      key,
      last ?? identityFromKey(key),
    );
    if (r instanceof Promise) await r;
  };
  let rv = "";
  let everSynced = false;
  while (!signal.aborted) {
    const fresh = rv === "";
    const seen = fresh ? new Set<string>() : undefined;
    let delivered = false;
    let initialDone = !fresh;
    try {
      const w = await store.watch(prefix, {
        recursive: true,
        resourceVersion: rv,
        sendInitialEvents: fresh,
        allowBookmarks: true,
        signal,
      });
      for await (const ev of w) {
        if (ev.type === "ERROR") {
          logger?.info(`${name} watch ended; reloading`, {
            reason: ev.error.message,
          });
          rv = "";
          break;
        }
        delivered = true;
        const evRv = ev.object.metadata.resourceVersion;
        if (evRv) rv = evRv;
        if (ev.type === "BOOKMARK") {
          const end = ev.object.metadata.annotations
            ?.[INITIAL_EVENTS_END_ANNOTATION] === "true";
          if (seen && end) {
            for (const key of [...known]) {
              if (!seen.has(key)) await remove(key);
            }
            initialDone = true;
            const r = opts.onSynced?.();
            if (r instanceof Promise) await r;
            everSynced = true;
            opts.onApplied?.();
          }
          continue;
        }
        if (!ev.key) continue;
        if (ev.type === "DELETED") await remove(ev.key, ev.object);
        else {
          const cluster = clusterFromKey(ev.key);
          if (cluster !== undefined) {
            known.add(ev.key);
            const r = opts.onPut(cluster, ev.key, ev.object, !initialDone);
            if (r instanceof Promise) await r; // a sync handler costs no microtask per event
          }
          seen?.add(ev.key);
        }
        opts.onApplied?.();
      }
      // A watch that ended inside its initial state cannot be resumed.
      if (!initialDone) rv = "";
    } catch (e) {
      if (signal.aborted) break;
      if (opts.failFast && !everSynced) throw e;
      logger?.warn(`${name} watch failed; retrying`, { error: String(e) });
      rv = "";
    }
    if (!delivered && !signal.aborted) {
      await sleep(opts.retryDelayMs ?? 500, signal);
    }
  }
}
