/**
 * Makes sure a cluster has its system namespaces (`default`, `kube-system`,
 * `kube-public`, `kube-node-lease`) — at start for `root`, and the first time
 * any other cluster is used.
 *
 * @module
 */

import { isStorageError, objectKey } from "../storage/mod.ts";
import type { Store } from "../storage/mod.ts";
import type { ResourceDefinition } from "./resources/types.ts";
import { prepareCreate } from "./handlers/strategy.ts";
import { withTypeMeta } from "./handlers/context.ts";

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

  constructor(namespaces: ResourceDefinition, store: Store, now: () => Date) {
    this.#def = namespaces;
    this.#store = store;
    this.#now = now;
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

  async #create(cluster: string): Promise<void> {
    for (const name of SYSTEM_NAMESPACES) {
      const key = objectKey({ resource: this.#def.plural, cluster, name });
      try {
        await this.#store.get(key);
        continue;
      } catch (e) {
        if (!isStorageError(e, "NotFound")) throw e;
      }
      const obj = prepareCreate(
        this.#def,
        withTypeMeta(this.#def, { metadata: { name } }),
        this.#now(),
      );
      try {
        await this.#store.create(key, obj);
      } catch (e) {
        if (!isStorageError(e, "KeyExists")) throw e;
      }
    }
  }
}
