/**
 * Namespace seeds: the objects the in-process controllers keep in every
 * namespace (a `default` ServiceAccount, `kube-root-ca.crt`), which a
 * cluster's bootstrap writes itself into each namespace it creates
 * (`cluster_bootstrap.ts`), so that a new cluster costs the controllers no
 * create request each. A seed is stored as the controller's create would
 * have stored it: typed, defaulted, its manager's `managedFields`, a `uid`
 * and `creationTimestamp`, validated.
 *
 * Preparing one through the field manager and validation is ~90 µs; every
 * namespace of every cluster gets the same content but for its namespace,
 * so a seed is prepared once per process and each later copy is that
 * result with its own namespace, `uid` and timestamps (checked: a body
 * that differs in more than its namespace is prepared in full).
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
  /** The object the controller creates in `namespace` (its create body). */
  desired(namespace: string): KubeObject;
}

/** Finds the definition and store of a seed's resource (undefined: not served). */
export type SeedResolver = (
  resource: NamespaceSeed["resource"],
) => { def: ResourceDefinition; store: Store } | undefined;

/** The body of `desired`, typed and placed in `namespace`. */
function typedBody(
  def: ResourceDefinition,
  seed: NamespaceSeed,
  namespace: string,
): KubeObject {
  const body = withTypeMeta(def, structuredClone(seed.desired(namespace)));
  body.metadata.namespace = namespace;
  return body;
}

/** The body's content but for its namespace (what copies must share). */
function contentKey(body: KubeObject): string {
  return JSON.stringify({
    ...body,
    metadata: { ...body.metadata, namespace: undefined },
  });
}

/** One seed with its kind and store, prepared once and copied per namespace. */
export class PreparedSeed {
  readonly def: ResourceDefinition;
  readonly store: Store;
  readonly #seed: NamespaceSeed;
  #template?: { key: string; object: KubeObject };

  /** A seed of kind `def`, written to `store`. */
  constructor(seed: NamespaceSeed, def: ResourceDefinition, store: Store) {
    this.#seed = seed;
    this.def = def;
    this.store = store;
  }

  /** The object to store in `namespace`, created at `now`. */
  object(namespace: string, now: Date): KubeObject {
    const body = typedBody(this.def, this.#seed, namespace);
    const key = contentKey(body);
    const t = this.#template;
    if (t?.key === key) return this.#copy(t.object, namespace, now);
    const obj = this.#prepare(body, now);
    this.#template = { key, object: deepFreeze(structuredClone(obj)) };
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
   * `template` (frozen, shared but for its `metadata`) in `namespace` with
   * its own `uid`, `creationTimestamp` and `managedFields` times; the keys
   * keep the template's order, so the stored text is the one `#prepare`
   * would give.
   */
  #copy(template: KubeObject, namespace: string, now: Date): KubeObject {
    const time = rfc3339(now);
    const meta = { ...template.metadata };
    meta.namespace = namespace;
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
