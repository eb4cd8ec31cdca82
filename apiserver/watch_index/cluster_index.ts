/**
 * The objects of one resource in every cluster, by name, kept fresh by
 * {@linkcode watchClusters}: what the admission plugins (policies, webhook
 * configurations) read on every request.
 *
 * @module
 */

import type { KubeObject, Store } from "../../storage/mod.ts";
import type { Logger } from "../../log/mod.ts";
import { watchClusters } from "./cluster_watch.ts";

/** A stored object with its key. */
export interface Indexed {
  key: string;
  object: KubeObject;
}

/** Options for {@linkcode ClusterIndex}. */
export interface ClusterIndexOptions {
  /** The resource's store across all clusters (meant to be the watch cache). */
  store: Store;
  /** The resource's key prefix (`resourcePrefix({ group, resource })`). */
  prefix: string;
  /** Stops the watch when aborted. */
  signal: AbortSignal;
  /** Names the index in log lines and errors (`"policy"`). */
  name: string;
  logger?: Logger;
  /** Wait before restarting a watch that failed at once (ms, default 500). */
  retryDelayMs?: number;
  /** Called when an object of `cluster` is put or removed. */
  onChange?: (cluster: string, key: string) => void;
}

/**
 * The objects of one resource per cluster, by name.
 *
 * @example
 * ```ts ignore
 * const index = new ClusterIndex({ store, prefix, signal, name: "policy" });
 * await index.start();
 * index.cluster("root")?.get("my-policy")?.object;
 * ```
 */
export class ClusterIndex {
  readonly #opts: ClusterIndexOptions;
  readonly #clusters = new Map<string, Map<string, Indexed>>();
  readonly #ready = Promise.withResolvers<void>();
  #changed = Promise.withResolvers<void>();
  #loop: Promise<void> | undefined;
  #synced = false;

  constructor(opts: ClusterIndexOptions) {
    this.#opts = opts;
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

  /** True once the initial state was loaded. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Resolves once the initial state was loaded; rejects if closed before. */
  ready(): Promise<void> {
    return this.#ready.promise;
  }

  /** Resolves after the next change is applied (tests). */
  changed(): Promise<void> {
    return this.#changed.promise;
  }

  /** The objects of `cluster` by name (`undefined` when none). */
  cluster(cluster: string): ReadonlyMap<string, Indexed> | undefined {
    return this.#clusters.get(cluster);
  }

  async #run(): Promise<void> {
    const { onChange, ...watch } = this.#opts;
    await watchClusters({
      ...watch,
      onPut: (cluster, key, object) => {
        let m = this.#clusters.get(cluster);
        if (!m) this.#clusters.set(cluster, m = new Map());
        m.set(object.metadata.name ?? "", { key, object });
        onChange?.(cluster, key);
      },
      onDelete: (cluster, key, last) => {
        const m = this.#clusters.get(cluster);
        m?.delete(last.metadata.name ?? "");
        if (m?.size === 0) this.#clusters.delete(cluster);
        onChange?.(cluster, key);
      },
      onSynced: () => {
        this.#synced = true;
        this.#ready.resolve();
      },
      onApplied: () => {
        const c = this.#changed;
        this.#changed = Promise.withResolvers<void>();
        c.resolve();
      },
    });
    if (!this.#synced) {
      this.#ready.reject(new Error(`the ${this.#opts.name} index was closed`));
    }
  }
}
