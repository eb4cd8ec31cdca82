/**
 * The metadata-only view of an object that a metadata informer keeps
 * (upstream's `PartialObjectMetadata`, as the garbage collector and the
 * resource-quota controller watch every resource through): `apiVersion`,
 * `kind` and `metadata` without `managedFields` (which upstream's
 * controller manager trims from its informers too), its labels and
 * annotations frozen and shared with every view holding the same ones, and
 * so are its names and creation time (`shareMetadata`).
 * Spec, status and data are dropped as each object arrives, so an informer
 * over 20,000 ConfigMaps of 1 KiB keeps ~0.3 KB per object instead of the
 * whole decoded object.
 *
 * The object keeps its own `apiVersion` and `kind` (not
 * `meta.k8s.io/v1 PartialObjectMetadata`): the garbage collector's graph
 * names owners and events by them. A metadata informer that runs its own
 * watch asks the server for the `PartialObjectMetadata` form (fewer bytes
 * encoded, sent and parsed per event) and gives each object back the
 * `apiVersion` and `kind` of the resource it watches
 * ({@linkcode metadataOf}).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { JsonInterner } from "../../internal/json_interner.ts";
import { isObject } from "../../internal/json.ts";
import { StringInterner } from "../../internal/string_interner.ts";

/**
 * Labels and annotations shared by every metadata view with the same ones
 * (frozen): a cluster's bootstrap objects repeat a handful of label sets
 * (`kubernetes.io/bootstrapping: rbac-defaults`) and, in a cross-cluster
 * informer, the cluster annotation; each view used to hold its own copies
 * (~8 KiB per virtual cluster).
 */
const metadataValues = new JsonInterner();

/**
 * The strings of metadata that views repeat, one copy each: every
 * cluster's bootstrap objects have the same names and namespaces, and the
 * objects written in one second the same creation time. Decoded after a
 * restart each had its own (~4.5 KB per virtual cluster).
 */
const metadataStrings = new StringInterner();

/** The metadata fields whose strings {@linkcode shareMetadata} shares. */
const SHARED_STRINGS = [
  "name",
  "namespace",
  "generateName",
  "creationTimestamp",
] as const;

type Metadata = KubeObject["metadata"];

/**
 * `metadata` — a fresh copy the caller owns, changed in place — with its
 * labels and annotations replaced by the frozen copies every view with the
 * same ones shares, and its names and creation time by shared strings
 * (also for informer transforms that keep more than metadata).
 */
export function shareMetadata(metadata: Metadata): Metadata {
  const { labels, annotations } = metadata;
  if (isObject(labels)) metadata.labels = metadataValues.intern(labels);
  if (isObject(annotations)) {
    // Not remembered by identity: a cross-cluster watch (every controller's)
    // gives each event annotations of its own, with the cluster annotation.
    metadata.annotations = metadataValues.intern(annotations, false);
  }
  for (const field of SHARED_STRINGS) {
    const value = metadata[field];
    if (typeof value === "string") {
      metadata[field] = metadataStrings.intern(value);
    }
  }
  return metadata;
}

/**
 * `obj` reduced to `apiVersion`, `kind` and `metadata` without
 * `managedFields`.
 *
 * @example
 * ```ts
 * import { partialObjectMetadata } from "./partial_metadata.ts";
 *
 * const m = partialObjectMetadata({
 *   apiVersion: "v1",
 *   kind: "ConfigMap",
 *   metadata: { name: "a", managedFields: [] },
 *   data: { big: "…" },
 * });
 * // m is { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }
 * ```
 */
export function partialObjectMetadata(obj: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  const out: KubeObject = { metadata: shareMetadata(metadata) };
  if (obj.apiVersion !== undefined) out.apiVersion = obj.apiVersion;
  if (obj.kind !== undefined) out.kind = obj.kind;
  return out;
}

/** Each resource's `apiVersion`, made once: not a new string per object kept. */
const apiVersions = new WeakMap<object, string>();

function apiVersionOf(resource: { group: string; version: string }): string {
  let v = apiVersions.get(resource);
  if (v === undefined) {
    v = resource.group
      ? `${resource.group}/${resource.version}`
      : resource.version;
    apiVersions.set(resource, v);
  }
  return v;
}

/**
 * The view {@linkcode partialObjectMetadata} gives of `obj` as read from
 * `resource` (its `apiVersion`, and `kind` when known): `obj` may be the
 * server's `PartialObjectMetadata` (whose type meta names the form, not the
 * object: the resource's are used) or a whole object (a server that does
 * not convert: its own are kept).
 */
export function metadataOf(
  resource: { group: string; version: string; kind?: string },
  obj: KubeObject,
): KubeObject {
  if (obj.kind !== "PartialObjectMetadata") return partialObjectMetadata(obj);
  const { managedFields: _, ...metadata } = obj.metadata ?? {};
  const out: KubeObject = {
    apiVersion: apiVersionOf(resource),
    metadata: shareMetadata(metadata),
  };
  if (resource.kind !== undefined) out.kind = resource.kind;
  return out;
}

/**
 * `obj` without `metadata.managedFields` (the same object when it has
 * none): what an informer keeps of objects whose field ownership no
 * controller reads.
 */
export function withoutManagedFields(obj: KubeObject): KubeObject {
  if (obj.metadata?.managedFields === undefined) return obj;
  const { managedFields: _, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
