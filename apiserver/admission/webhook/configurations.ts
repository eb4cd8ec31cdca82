/**
 * The webhook configurations of every cluster, read from storage and kept
 * fresh by a {@linkcode ClusterIndex} (one watch across all clusters on the
 * watch cache, each object filed by the cluster in its storage key).
 *
 * Within a cluster, configurations are kept sorted by name, the order
 * upstream calls their webhooks in.
 *
 * @module
 */

import {
  type KubeObject,
  resourcePrefix,
  type Store,
} from "../../../storage/mod.ts";
import type { Logger } from "../../../log/mod.ts";
import { ClusterIndex } from "../../watch_index/mod.ts";

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

/** The configurations of one resource, per cluster. */
export class ConfigurationIndex {
  readonly #index: ClusterIndex;
  /** cluster → configurations sorted by name (rebuilt lazily). */
  readonly #sorted = new Map<string, KubeObject[]>();

  constructor(opts: ConfigurationIndexOptions) {
    const { store, group, resource, signal, retryDelayMs } = opts;
    this.#index = new ClusterIndex({
      store,
      prefix: resourcePrefix({ group, resource }),
      signal,
      name: "webhook configuration",
      logger: opts.logger?.with({ component: "webhook", resource }),
      retryDelayMs,
      onChange: (cluster) => this.#sorted.delete(cluster),
    });
  }

  /** Starts the watch; resolves once the initial state is loaded. */
  start(): Promise<void> {
    return this.#index.start();
  }

  /** Waits for the watch loop to end (after the signal aborted). */
  close(): Promise<void> {
    return this.#index.closed();
  }

  /** True once the initial state was loaded. */
  get synced(): boolean {
    return this.#index.synced;
  }

  /** Resolves once the initial state was loaded. */
  ready(): Promise<void> {
    return this.#index.ready();
  }

  /** Resolves after the next change is applied (tests). */
  changed(): Promise<void> {
    return this.#index.changed();
  }

  /** The configurations of `cluster`, sorted by name. */
  configurations(cluster: string): readonly KubeObject[] {
    let list = this.#sorted.get(cluster);
    if (!list) {
      const objs = this.#index.cluster(cluster);
      if (!objs) return [];
      list = [...objs.values()].map((i) => i.object).sort((a, b) =>
        (a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1
      );
      this.#sorted.set(cluster, list);
    }
    return list;
  }
}
