/**
 * Namespace seeds: the objects the in-process controllers keep in every
 * namespace (a `default` ServiceAccount, `kube-root-ca.crt`), which a
 * cluster's bootstrap writes itself into each namespace it creates
 * (`cluster_bootstrap.ts`), so that a new cluster costs the controllers no
 * create request each. A seed is stored as the controller's create would
 * have stored it: typed, defaulted, its manager's `managedFields`, a `uid`
 * and `creationTimestamp`, validated.
 *
 * Preparing one through the field manager and validation is ~90 µs, and
 * every cluster's system namespaces have the same names: a seed is
 * prepared once per namespace name and process, and each later copy is
 * that result with its own `uid` and timestamps.
 *
 * @module
 */

import type { KubeObject, Store } from "../storage/mod.ts";
import { deepFreeze } from "../internal/json.ts";
import { rfc3339 } from "../internal/time.ts";
import { updateManagedFields } from "./apply/mod.ts";
import { withTypeMeta } from "./handlers/context.ts";
import {
  keepManagedFields,
  resetFieldsFor,
  schemaOf,
} from "./handlers/field_manager.ts";
import { prepareCreate } from "./handlers/strategy.ts";
import { apiVersionOf, type ResourceDefinition } from "./resources/types.ts";

/**
 * An object a controller keeps in every namespace (created when missing),
 * which the bootstrap writes itself into each namespace it creates, on the
 * controller's behalf.
 */
export interface NamespaceSeed {
  /** The object's resource (`group` is `""` for the core group). */
  resource: { group: string; version: string; resource: string };
  /** The field manager the controller's create records in `managedFields`. */
  manager: string;
  /**
   * The object the controller creates in `namespace` (its create body): the
   * same for the same name, as it is asked once per name and kept.
   */
  desired(namespace: string): KubeObject;
}

/** Finds the definition and store of a seed's resource (undefined: not served). */
export type SeedResolver = (
  resource: NamespaceSeed["resource"],
) => { def: ResourceDefinition; store: Store } | undefined;

/** One seed with its kind and store, prepared once and copied per namespace. */
export class PreparedSeed {
  readonly def: ResourceDefinition;
  readonly store: Store;
  readonly #seed: NamespaceSeed;
  /** The prepared object per namespace name (frozen; shared but for `metadata`). */
  readonly #templates = new Map<string, KubeObject>();

  /** A seed of kind `def`, written to `store`. */
  constructor(seed: NamespaceSeed, def: ResourceDefinition, store: Store) {
    this.#seed = seed;
    this.def = def;
    this.store = store;
  }

  /** The object to store in `namespace`, created at `now`. */
  object(namespace: string, now: Date): KubeObject {
    const t = this.#templates.get(namespace);
    if (t) return this.#copy(t, now);
    const body = withTypeMeta(
      this.def,
      structuredClone(this.#seed.desired(namespace)),
    );
    body.metadata.namespace = namespace;
    const obj = this.#prepare(body, now);
    this.#templates.set(namespace, deepFreeze(structuredClone(obj)));
    return obj;
  }

  /** As the create handler: defaulted, tracked, prepared and validated. */
  #prepare(body: KubeObject, now: Date): KubeObject {
    const def = this.def;
    def.default?.(body);
    const { object } = updateManagedFields(
      null,
      body as unknown as Record<string, unknown>,
      {
        schema: schemaOf(def),
        apiVersion: apiVersionOf(def),
        now,
        manager: this.#seed.manager,
        resetFields: resetFieldsFor(def, "", body),
      },
    );
    const obj = prepareCreate(def, object as unknown as KubeObject, now);
    keepManagedFields(obj, obj);
    return obj;
  }

  /**
   * `template` (frozen, shared but for its `metadata`) with its own `uid`,
   * `creationTimestamp` and `managedFields` times; the keys keep the
   * template's order, so the stored text is the one `#prepare` would give.
   */
  #copy(template: KubeObject, now: Date): KubeObject {
    const time = rfc3339(now);
    const meta = { ...template.metadata };
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = time;
    if (meta.managedFields !== undefined) {
      meta.managedFields = meta.managedFields.map((e) =>
        e.time === undefined ? e : { ...e, time }
      );
    }
    return { ...template, metadata: meta };
  }
}
