/**
 * The webhook configurations of every cluster, read from storage and kept
 * fresh, as `authz/rbac/store_policy.ts` keeps RBAC: one watch across all
 * clusters (the store is meant to be the watch cache), each object filed
 * into its cluster by the cluster named in its storage key. The initial
 * state arrives as the watch's initial events, ended by the
 * `k8s.io/initial-events-end` bookmark; a failed watch is restarted with a
 * fresh initial state. Everything stops with the owner's signal.
 *
 * Within a cluster, configurations are kept sorted by name, the order
 * upstream calls their webhooks in.
 *
 * @module
 */

import {
  clusterFromKey,
  INITIAL_EVENTS_END_ANNOTATION,
  type KubeObject,
  resourcePrefix,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";

/** Options for {@linkcode ConfigurationIndex}. */
export interface ConfigurationIndexOptions {
  store: Store;
  group: string;
  /** The plural resource (`mutatingwebhookconfigurations`). */
  resource: string;
  signal: AbortSignal;
  logger?: Logger;
  /** Wait before restarting a watch that failed at once (ms, default 500). */
  retryDelayMs?: number;
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The configurations of one resource, per cluster. */
export class ConfigurationIndex {
  readonly #opts: ConfigurationIndexOptions;
  /** cluster → key → object. */
  readonly #byCluster = new Map<string, Map<string, KubeObject>>();
  /** cluster → configurations sorted by name (rebuilt lazily). */
  readonly #sorted = new Map<string, KubeObject[]>();
  readonly #ready = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();
  #loop: Promise<void> | undefined;
  #synced = false;

  constructor(opts: ConfigurationIndexOptions) {
    this.#opts = opts;
    this.#ready.promise.catch(() => {});
  }

  /** Starts the watch; resolves once the initial state is loaded. */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#ready.promise;
  }

  /** Waits for the watch loop to end (after the signal aborted). */
  async close(): Promise<void> {
    await this.#loop;
  }

  /** True once the initial state was loaded. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves once the initial state was loaded. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves after the next change is applied (tests). */
  changed(): Promise<void> {
    return this.#changed.promise;
  }

  /** The configurations of `cluster`, sorted by name. */
  configurations(cluster: string): readonly KubeObject[] {
    let list = this.#sorted.get(cluster);
    if (!list) {
      const objs = this.#byCluster.get(cluster);
      if (!objs) return [];
      list = [...objs.values()].sort((a, b) =>
        (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1
      );
      this.#sorted.set(cluster, list);
    }
    return list;
  }

  #put(key: string, obj: KubeObject): void {
    const cluster = clusterFromKey(key);
    if (cluster === undefined) return;
    let objs = this.#byCluster.get(cluster);
    if (!objs) this.#byCluster.set(cluster, objs = new Map());
    objs.set(key, obj);
    this.#sorted.delete(cluster);
  }

  #remove(key: string): void {
    const cluster = clusterFromKey(key);
    if (cluster === undefined) return;
    const objs = this.#byCluster.get(cluster);
    if (!objs?.delete(key)) return;
    if (objs.size === 0) this.#byCluster.delete(cluster);
    this.#sorted.delete(cluster);
  }

  #notify(): void {
    const c = this.#changed;
    this.#changed = Promise.withResolvers<void>();
    c.resolve();
  }

  async #run(): Promise<void> {
    const { store, group, resource, signal } = this.#opts;
    const prefix = resourcePrefix({ group, resource });
    const log = this.#opts.logger?.with({ component: "webhook", resource });
    let rv = "";
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
            log?.info("webhook configuration watch ended; reloading", {
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
              for (const objs of [...this.#byCluster.values()]) {
                for (const key of [...objs.keys()]) {
                  if (!seen.has(key)) this.#remove(key);
                }
              }
              initialDone = true;
              this.#synced = true;
              this.#ready.resolve();
              this.#notify();
            }
            continue;
          }
          if (!ev.key) continue;
          if (ev.type === "DELETED") this.#remove(ev.key);
          else {
            this.#put(ev.key, ev.object);
            seen?.add(ev.key);
          }
          this.#notify();
        }
        if (!initialDone) rv = "";
      } catch (e) {
        if (signal.aborted) break;
        log?.warn("webhook configuration watch failed; retrying", {
          error: String(e),
        });
        rv = "";
      }
      if (!delivered && !signal.aborted) {
        await waitOrAbort(this.#opts.retryDelayMs ?? 500, signal);
      }
    }
    if (!this.#synced) {
      this.#ready.reject(new Error("the webhook configuration index closed"));
    }
  }
}
