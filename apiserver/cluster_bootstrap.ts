/**
 * Makes sure a cluster has its system namespaces (`default`, `kube-system`,
 * `kube-public`, `kube-node-lease`) — at start for `root`, when a virtual
 * cluster is created or first used after a start (`tenancy/`), and again
 * whenever one of them is deleted
 * while the server runs (as kube-apiserver's system-namespaces controller),
 * so a cluster never stays without `default`.
 *
 * A namespace it creates starts with the objects the in-process
 * controllers would create in it at once (its `default` ServiceAccount and
 * `kube-root-ca.crt`: {@linkcode NamespaceSeed}), written beside it in
 * storage, as the controller's create would have stored them (same content
 * and `managedFields`): a new cluster then costs no API request of the
 * controllers, which find the objects in place.
 *
 * @module
 */

import {
  clusterFromKey,
  isStorageError,
  objectKey,
  resourcePrefix,
} from "../storage/mod.ts";
import type { Logger } from "../log/mod.ts";
import { sleep } from "../internal/sleep.ts";
import type { Store } from "../storage/mod.ts";
import { createQuietly, holdsKey } from "../storage/cacher/mod.ts";
import type { ResourceDefinition } from "./resources/types.ts";
import { prepareCreate } from "./handlers/strategy.ts";
import { withTypeMeta } from "./handlers/context.ts";
import {
  type NamespaceSeed,
  PreparedSeed,
  type SeedResolver,
} from "./namespace_seeds.ts";

/** The namespaces every cluster starts with. */
export const SYSTEM_NAMESPACES = [
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

/** Creates each cluster's system namespaces once per server. */
export class ClusterBootstrap {
  #done = new Map<string, Promise<void>>();
  #store: Store;
  #def: ResourceDefinition;
  #now: () => Date;
  #seeds: readonly PreparedSeed[] = [];

  #more?: (cluster: string) => Promise<void>;

  /**
   * `more` runs after the namespaces exist, for whatever else a cluster
   * starts with (the bootstrap RBAC policy).
   */
  constructor(
    namespaces: ResourceDefinition,
    store: Store,
    now: () => Date,
    more?: (cluster: string) => Promise<void>,
  ) {
    this.#def = namespaces;
    this.#store = store;
    this.#now = now;
    this.#more = more;
  }

  /**
   * From now on, each namespace the bootstrap creates starts with `seeds`
   * (replacing those given before); a seed whose resource `resolve` does
   * not know is left to its controller.
   */
  seedNamespaces(
    seeds: readonly NamespaceSeed[],
    resolve: SeedResolver,
  ): void {
    this.#seeds = seeds.flatMap((seed) => {
      const found = resolve(seed.resource);
      return found ? [new PreparedSeed(seed, found.def, found.store)] : [];
    });
  }

  /** Resolves once `cluster` has its system namespaces (retried after a failure). */
  ensure(cluster: string): Promise<void> {
    let p = this.#done.get(cluster);
    if (!p) {
      p = this.#create(cluster);
      this.#done.set(cluster, p);
      p.catch(() => this.#done.delete(cluster));
    }
    return p;
  }

  /**
   * Forgets `cluster`, whose data is about to be removed: waits for a
   * bootstrap under way, then no longer re-creates its system namespaces;
   * a later `ensure` bootstraps it afresh.
   */
  async forget(cluster: string): Promise<void> {
    const p = this.#done.get(cluster);
    this.#done.delete(cluster);
    await p?.catch(() => {});
  }

  /**
   * Re-creates a system namespace of any cluster this server bootstrapped
   * as soon as its deletion completes, until `signal` aborts. Resolves when
   * the watch ends.
   */
  async watchDeletions(signal: AbortSignal, logger: Logger): Promise<void> {
    const prefix = `${resourcePrefix({ resource: this.#def.plural })}clusters/`;
    while (!signal.aborted) {
      try {
        const watcher = await this.#store.watch(prefix, {
          recursive: true,
          resourceVersion: String(await this.#store.currentRevision()),
          signal,
        });
        for await (const ev of watcher) {
          if (ev.type === "ERROR") break;
          if (ev.type !== "DELETED") continue;
          const name = ev.object.metadata.name ?? "";
          const cluster = ev.key ? clusterFromKey(ev.key) : undefined;
          if (!cluster || !SYSTEM_NAMESPACES.includes(name)) continue;
          if (!this.#done.has(cluster)) continue;
          logger.info("re-creating a deleted system namespace", {
            cluster,
            namespace: name,
          });
          await this.#create(cluster).catch((err) =>
            logger.warn("re-creating a system namespace failed", {
              cluster,
              err,
            })
          );
        }
      } catch (err) {
        if (signal.aborted) break;
        logger.warn("system namespace watch failed; retrying", { err });
        await sleep(1000, signal);
      }
    }
  }

  async #create(cluster: string): Promise<void> {
    // The policy first: a cluster appears (to the controllers' namespace
    // informer) only once what decides its requests is in place.
    await this.#more?.(cluster);
    // The namespaces at once: one group commit rather than four.
    await Promise.all(
      SYSTEM_NAMESPACES.map((name) => this.#namespace(cluster, name)),
    );
  }

  async #namespace(cluster: string, name: string): Promise<void> {
    const key = objectKey({ resource: this.#def.plural, cluster, name });
    // From the cache as it is: a stale miss only makes the create below
    // find the key taken.
    if (await holdsKey(this.#store, key)) return;
    // The seeds first: a controller that sees the namespace then finds them
    // (a stale informer only meets AlreadyExists). A restart between the two
    // finds the namespace missing and the seeds there (KeyExists).
    const seeds = this.#seeds;
    if (seeds.length > 0) {
      await Promise.all(seeds.map((s) => this.#seed(s, cluster, name)));
    }
    const obj = prepareCreate(
      this.#def,
      withTypeMeta(this.#def, { metadata: { name } }),
      this.#now(),
    );
    try {
      await createQuietly(this.#store, key, obj);
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
    }
  }

  /** Writes `seed` into `namespace`, unless it is there already. */
  async #seed(seed: PreparedSeed, cluster: string, namespace: string) {
    const obj = seed.object(namespace, this.#now());
    const key = objectKey({
      group: seed.def.group,
      resource: seed.def.plural,
      cluster,
      namespace,
      name: obj.metadata.name!,
    });
    try {
      await createQuietly(seed.store, key, obj);
    } catch (e) {
      if (!isStorageError(e, "KeyExists")) throw e;
    }
  }
}
