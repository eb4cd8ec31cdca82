/**
 * The shape of what the storage layer keeps: a JSON object with Kubernetes
 * object metadata. Storage treats everything but `metadata.resourceVersion`
 * (which it owns) and `metadata.uid` (for preconditions) as opaque data.
 *
 * @module
 */

/** Kubernetes object metadata, as far as storage and the generic layers read it. */
export interface ObjectMeta {
  /** The object's name, unique per namespace and kind. */
  name?: string;
  /** A prefix the server completes into a unique name on create. */
  generateName?: string;
  /** The namespace of a namespaced object. */
  namespace?: string;
  /** The unique id the server assigns on create. */
  uid?: string;
  /** The version of the object, owned by storage. */
  resourceVersion?: string;
  /** Counts changes of the desired state (spec). */
  generation?: number;
  /** When the object was created (RFC 3339). */
  creationTimestamp?: string;
  /** When deletion was asked for (RFC 3339); set while finalizers run. */
  deletionTimestamp?: string;
  /** Seconds the object had to be deleted gracefully. */
  deletionGracePeriodSeconds?: number;
  /** Labels, for selection. */
  labels?: Record<string, string>;
  /** Annotations, free-form. */
  annotations?: Record<string, string>;
  /** What must happen before the object goes away. */
  finalizers?: string[];
  /** The objects this one depends on (garbage collection). */
  ownerReferences?: Array<Record<string, unknown>>;
  /** Which manager owns which fields (server-side apply). */
  managedFields?: Array<Record<string, unknown>>;
  /** Any other metadata field. */
  [field: string]: unknown;
}

/** Any Kubernetes-style object: `apiVersion`, `kind`, `metadata` and free-form fields. */
export interface KubeObject {
  /** `group/version` or `v1`. */
  apiVersion?: string;
  /** The object's kind. */
  kind?: string;
  /** The object's metadata. */
  metadata: ObjectMeta;
  /** The kind's own fields (`spec`, `status`, `data`, …). */
  [field: string]: unknown;
}

/**
 * Parses a resourceVersion string as storage sees it.
 * `""` → 0 (meaning "unset"). Returns `undefined` when the string is not a
 * non-negative integer, so callers can raise their own typed error.
 */
export function parseResourceVersion(
  rv: string | undefined,
): number | undefined {
  if (rv === undefined || rv === "") return 0;
  if (!/^[0-9]{1,16}$/.test(rv)) return undefined;
  const n = Number(rv);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Returns a deep copy of `obj` whose `metadata.resourceVersion` is `rv`. */
export function withResourceVersion<T extends KubeObject>(
  obj: T,
  rv: number,
): T {
  const copy = structuredClone(obj);
  copy.metadata = { ...(copy.metadata ?? {}), resourceVersion: String(rv) };
  return copy;
}

/**
 * Serialises an object for storage: the resourceVersion is dropped because
 * the store owns it (it is the revision the object was written at).
 */
export function encodeObject(obj: KubeObject): string {
  const { resourceVersion: _rv, ...meta } = obj.metadata ?? {};
  return JSON.stringify({ ...obj, metadata: meta });
}

/** Parses stored JSON and stamps the revision it was written at as resourceVersion. */
export function decodeObject(data: string, rv: number): KubeObject {
  const obj = JSON.parse(data) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return obj;
}
