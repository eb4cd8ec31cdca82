/**
 * The shape of what the storage layer keeps: a JSON object with Kubernetes
 * object metadata. Storage treats everything but `metadata.resourceVersion`
 * (which it owns) and `metadata.uid` (for preconditions) as opaque data.
 *
 * @module
 */

/** Kubernetes object metadata, as far as storage and the generic layers read it. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

/** Any Kubernetes-style object: `apiVersion`, `kind`, `metadata` and free-form fields. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
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
