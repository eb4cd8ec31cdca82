/**
 * `spec.admins` inside the cluster: one ClusterRoleBinding
 * (`hyperplane:virtualcluster-admins`) to `cluster-admin` with the admins as
 * its subjects, kept equal to the spec (removed when the list is empty).
 * Written straight to storage by the lifecycle controller: the
 * `VirtualCluster`'s author in `root` decides who administers the cluster.
 *
 * @module
 */

import {
  isStorageError,
  type KubeObject,
  objectKey,
  type Store,
} from "../../storage/mod.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { createQuietlyOrUpdate } from "../../storage/cacher/mod.ts";
import { prepareCreate } from "../handlers/strategy.ts";
import { withTypeMeta } from "../handlers/context.ts";
import { ADMINS_BINDING, type Subject } from "./types.ts";

/** Writes the admins binding of one cluster. */
export class AdminsBinding {
  readonly #def: ResourceDefinition;
  readonly #store: Store;
  readonly #now: () => Date;

  /** `def`/`store`: the `clusterrolebindings` kind and its store. */
  constructor(def: ResourceDefinition, store: Store, now: () => Date) {
    this.#def = def;
    this.#store = store;
    this.#now = now;
  }

  /** Makes the binding of `cluster` name exactly `admins` (none: no binding). */
  async sync(cluster: string, admins: readonly Subject[]): Promise<void> {
    const key = objectKey({
      group: this.#def.group,
      resource: this.#def.plural,
      cluster,
      name: ADMINS_BINDING,
    });
    if (admins.length === 0) {
      try {
        await this.#store.delete(key);
      } catch (e) {
        if (!isStorageError(e, "NotFound")) throw e;
      }
      return;
    }
    // A fresh object per call: a create hands it over to the store.
    const make = () =>
      prepareCreate(
        this.#def,
        withTypeMeta(this.#def, {
          metadata: {
            name: ADMINS_BINDING,
            labels: { "tenancy.hyperplane.dev/admins": "true" },
          },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "ClusterRole",
            name: "cluster-admin",
          },
          subjects: admins.map((s) => ({ ...s })),
        } as KubeObject),
        this.#now(),
      );
    await createQuietlyOrUpdate(this.#store, key, make, {
      ignoreNotFound: true,
      tryUpdate: (current) => {
        if (!current) return make();
        const next = structuredClone(current) as KubeObject & {
          subjects?: unknown;
        };
        next.subjects = admins.map((s) => ({ ...s }));
        return next;
      },
    });
  }
}
