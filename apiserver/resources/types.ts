/**
 * The declarative definition of a served kind: names, scope, validation,
 * table columns, selectable fields and the strategy hooks where a kind truly
 * differs. Generic handlers consume these; adding a kind is one file plus one
 * line in `registry.ts` (see this folder's README.md).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { FieldError } from "../validation/field_error.ts";
import type { NameValidator } from "../validation/names.ts";
import type { Schema } from "../schema/types.ts";
import type { ResourceContext } from "../handlers/context.ts";

/** One column of the kind's Table output. */
export interface TableColumn {
  /** Column title, e.g. `Name` (kubectl upper-cases it). */
  name: string;
  /** OpenAPI type: `string`, `integer`, `date`, … */
  type: string;
  /** OpenAPI format, e.g. `name` for the name column. */
  format?: string;
  /** What the column shows. */
  description: string;
  /** 0 = always shown; higher = only with `-o wide`. */
  priority?: number;
  /** The cell for `obj`; `now` is the request time (for ages). */
  cell(obj: KubeObject, now: Date): unknown;
}

/** How a subresource update merges the request body into the current object. */
export interface SubresourceDefinition {
  /** Verbs served on the subresource (discovery). */
  verbs: string[];
  /**
   * The stored object for an update of the subresource; absent for a
   * subresource that is only created (`serviceaccounts/token`).
   */
  merge?(next: KubeObject, old: KubeObject): KubeObject;
  /**
   * What GET/PUT/PATCH on the subresource show when it is a different kind
   * (a custom resource's `scale` is an `autoscaling/v1` `Scale`); PATCH
   * applies to this view and `merge` receives the patched view.
   */
  view?(stored: KubeObject): KubeObject;
  /** The kind the subresource speaks when it has a `view` (discovery). */
  responseKind?: { group: string; version: string; kind: string };
  /**
   * Serves the subresource itself, for a subresource that is an API of its
   * own rather than a view of the object (`serviceaccounts/token`); the
   * generic verb handlers are then not used. The handler context is the
   * server's own, not a stable API: built-in kinds only.
   *
   * @ignore
   */
  serve?(ctx: ResourceContext): Promise<Response>;
}

/** A served kind. */
export interface ResourceDefinition {
  /** API group; `""` for the core group. */
  group: string;
  /** API version, e.g. `v1`. */
  version: string;
  /** Kind, e.g. `ConfigMap`. */
  kind: string;
  /** The plural resource name used in paths and storage keys. */
  plural: string;
  /** Singular resource name, e.g. `configmap`. */
  singular: string;
  /** Short names kubectl accepts, e.g. `cm`. */
  shortNames?: string[];
  /** Categories, e.g. `all`. */
  categories?: string[];
  /** True when objects live in a namespace. */
  namespaced: boolean;
  /**
   * The structural schema of the kind (fields, merge semantics). Built-in
   * kinds set it to their upstream schema from `apiserver/schema/`; CRDs
   * and kinds written in code set their own. OpenAPI, field validation,
   * strategic merge patch and server-side apply all read this one schema.
   */
  schema?: Schema;
  /**
   * The schema of the kind's list (`<Kind>List`) as upstream publishes it.
   * Set by the built-in typed kinds (and only by them): the built-in schema
   * index (`kind_tables.ts`'s `builtinSchema`) is derived from the
   * definitions that set it, kind and list. Kinds without it get a generic
   * list schema in OpenAPI.
   */
  listSchema?: Schema;
  /**
   * The version objects are stored in when it is not `version` (custom
   * resources: the CRD's storage version); discovery hashes it into
   * `storageVersionHash`.
   */
  storageVersion?: string;
  /** Name rule; default DNS-1123 subdomain. */
  validateName?: NameValidator;
  /** Kind-specific field validation, on create and update. */
  validate?(obj: KubeObject): FieldError[];
  /** Extra checks comparing the new object with the stored one. */
  validateUpdate?(next: KubeObject, old: KubeObject): FieldError[];
  /**
   * Upstream's decode-time defaulting (its `SetDefaults_*`, a Secret's
   * `stringData` conversion, a custom resource's pruning and schema
   * defaults), run on every incoming object of the kind's own type (create,
   * update, patch results; not a subresource's view) before its fields are
   * tracked and before mutating admission — so the request's manager owns
   * the defaulted fields and webhooks see them, as upstream. Must be
   * idempotent and cope with invalid input (validation comes later);
   * `prepareForCreate`/`prepareForUpdate` may apply the same defaults again
   * to admission's output.
   */
  default?(obj: KubeObject): void;
  /** Normalises a new object before validation (e.g. merge `stringData`). */
  prepareForCreate?(obj: KubeObject): void;
  /** Normalises an updated object before validation. */
  prepareForUpdate?(next: KubeObject, old: KubeObject): void;
  /** Table columns; default `Name`, `Created At`. */
  columns?: TableColumn[];
  /** Kind-specific field-selector fields (besides `metadata.name`/`namespace`). */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /**
   * How the kind is served. `true`: as a custom resource (merge patches
   * only, no strategic merge patch), as for CRDs. `false`: as a native
   * kind (strategic merge patch with the schema's patch strategies, unknown
   * fields dropped) — a kind of your own written in code. Default: native
   * when the kind has a built-in schema, custom otherwise.
   */
  customResource?: boolean;
  /** `metadata.generation` is kept (1 on create, bumped on spec changes). */
  hasGeneration?: boolean;
  /**
   * The verbs the kind's storage serves (upstream: the REST interfaces its
   * storage implements); default {@linkcode STORAGE_VERBS}. Routing (see
   * `routing/verb_table.ts`), discovery and OpenAPI all read this one list.
   */
  verbs?: readonly string[];
  /**
   * Objects that may never be deleted, and the reason a delete is refused
   * with (403 Forbidden): upstream's immortal namespaces.
   */
  undeletable?: { names: readonly string[]; reason: string };
  /** Subresources besides the main resource, by name (`status`, `finalize`). */
  subresources?: Record<string, SubresourceDefinition>;
  /** PUT of a missing object creates it (as upstream for leases, events, RBAC). */
  allowCreateOnUpdate?: boolean;
  /** The list kind when it is not `<Kind>List` (custom resources). */
  listKind?: string;
  /** The `Warning` header of every request to a deprecated version. */
  deprecationWarning?: string;
  /** Delete returns the deleted object instead of a `Status`. */
  returnDeletedObject?: boolean;
  /**
   * Whether a deletion must wait (the object is kept with a
   * deletionTimestamp). Default: `metadata.finalizers` is non-empty.
   */
  pendingFinalizers?(obj: KubeObject): boolean;
  /**
   * The propagation policy of a delete applies only to the first delete of
   * an object (upstream's namespace storage): a later delete of an object
   * already being deleted keeps its finalizers.
   */
  propagationPolicyOnFirstDeleteOnly?: boolean;
  /** Marks an object whose deletion waits (e.g. namespace phase Terminating). */
  prepareForDeletion?(obj: KubeObject): void;
  /**
   * A stored object as served, when reading changes it (custom resources:
   * unknown fields pruned and schema defaults applied, as upstream does when
   * decoding from storage). Returns a copy; `stored` is left unchanged.
   */
  decode?(stored: KubeObject): KubeObject;
  /**
   * Where the kind's objects live when another resource stores them
   * (upstream: events.k8s.io/v1 events are the core events), and the
   * conversions between that resource's stored form and this kind's. The
   * server hands the handlers a store that converts (`converting_store.ts`).
   */
  storedAs?: {
    group: string;
    resource: string;
    /** The storing resource's version and kind (discovery's storageVersionHash). */
    version: string;
    kind: string;
    toStorage(obj: KubeObject): KubeObject;
    fromStorage(stored: KubeObject): KubeObject;
  };
}

/** The verbs of a kind whose storage serves everything (sorted). */
export const STORAGE_VERBS: readonly string[] = Object.freeze([
  "create",
  "delete",
  "deletecollection",
  "get",
  "list",
  "patch",
  "update",
  "watch",
]);

/** The verbs `def` serves on its main resource (sorted). */
export function verbsOf(def: ResourceDefinition): readonly string[] {
  return def.verbs ?? STORAGE_VERBS;
}

/** `v1` or `rbac.authorization.k8s.io/v1`. */
export function apiVersionOf(def: ResourceDefinition): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** `ConfigMapList`. */
export function listKindOf(def: ResourceDefinition): string {
  return def.listKind ?? `${def.kind}List`;
}
