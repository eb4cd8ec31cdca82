/**
 * One resource's objects in every cluster, kept fresh by a watch across all
 * clusters (the watch cache), filed by the cluster in each storage key — the
 * way `authz/rbac/store_policy.ts` indexes RBAC. The initial state arrives
 * as the watch's initial events; a failed watch is restarted with a fresh
 * initial state and objects not seen again are dropped. Stops with the
 * owner's signal.
 *
 * @module
 */

import {
  clusterFromKey,
  INITIAL_EVENTS_END_ANNOTATION,
  type KubeObject,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";

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

/** A stored object with its key. */
export interface Indexed {
  key: string;
  object: KubeObject;
}

/** The objects of one resource per cluster, by name. */
export class WatchIndex {
  readonly #clusters = new Map<string, Map<string, Indexed>>();
  readonly #where = new Map<string, { cluster: string; name: string }>();
  readonly #ready = Promise.withResolvers<void>();
  #loop: Promise<void> | undefined;

  constructor(
    readonly store: Store,
    readonly prefix: string,
    readonly signal: AbortSignal,
    readonly onChange: (cluster: string, key: string) => void,
    readonly logger?: Logger,
  ) {
    this.#ready.promise.catch(() => {});
  }

  /** Starts the watch; resolves once the initial state is loaded. */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#ready.promise;
  }

  /** Resolves when the watch loop has ended (after the signal). */
  async closed(): Promise<void> {
    await this.#loop;
  }

  /** The objects of `cluster` by name (`undefined` when none). */
  cluster(cluster: string): ReadonlyMap<string, Indexed> | undefined {
    return this.#clusters.get(cluster);
  }

  #put(key: string, object: KubeObject): void {
    const cluster = clusterFromKey(key);
    if (cluster === undefined) return;
    const name = object.metadata.name ?? "";
    let m = this.#clusters.get(cluster);
    if (!m) this.#clusters.set(cluster, m = new Map());
    m.set(name, { key, object });
    this.#where.set(key, { cluster, name });
    this.onChange(cluster, key);
  }

  #remove(key: string): void {
    const w = this.#where.get(key);
    if (!w) return;
    this.#where.delete(key);
    const m = this.#clusters.get(w.cluster);
    m?.delete(w.name);
    if (m?.size === 0) this.#clusters.delete(w.cluster);
    this.onChange(w.cluster, key);
  }

  async #run(): Promise<void> {
    const signal = this.signal;
    let rv = "";
    while (!signal.aborted) {
      const fresh = rv === "";
      const seen = fresh ? new Set<string>() : undefined;
      let delivered = false;
      let initialDone = !fresh;
      try {
        const w = await this.store.watch(this.prefix, {
          recursive: true,
          resourceVersion: rv,
          sendInitialEvents: fresh,
          allowBookmarks: true,
          signal,
        });
        for await (const ev of w) {
          if (ev.type === "ERROR") {
            rv = "";
            break;
          }
          delivered = true;
          const evRv = ev.object.metadata.resourceVersion;
          if (evRv) rv = evRv;
          if (ev.type === "BOOKMARK") {
            if (
              seen &&
              ev.object.metadata.annotations
                  ?.[INITIAL_EVENTS_END_ANNOTATION] === "true"
            ) {
              for (const key of [...this.#where.keys()]) {
                if (!seen.has(key)) this.#remove(key);
              }
              initialDone = true;
              this.#ready.resolve();
            }
            continue;
          }
          if (!ev.key) continue;
          if (ev.type === "DELETED") this.#remove(ev.key);
          else {
            this.#put(ev.key, ev.object);
            seen?.add(ev.key);
          }
        }
        if (!initialDone) rv = "";
      } catch (e) {
        if (signal.aborted) break;
        this.logger?.warn("policy watch failed; retrying", {
          prefix: this.prefix,
          error: String(e),
        });
        rv = "";
      }
      if (!delivered && !signal.aborted) await waitOrAbort(500, signal);
    }
    this.#ready.reject(new Error("the policy index was closed"));
  }
}
