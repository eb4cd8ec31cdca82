/**
 * The storage key layout, with the cluster identity inside every key
 * (kplane-compatible):
 *
 * ```
 * /registry/<group>/<resource>/clusters/<cluster>/[<namespace>/]<name>
 * ```
 *
 * The group segment is omitted for the core group (`""`). The default
 * cluster is {@linkcode DEFAULT_CLUSTER}. Keys with empty, `.` or `..`
 * segments are rejected.
 *
 * @example
 * ```ts
 * objectKey({ resource: "configmaps", cluster: "root", namespace: "default", name: "x" });
 * // "/registry/configmaps/clusters/root/default/x"
 * ```
 *
 * @module
 */

import { invalidKey } from "./errors.ts";

/** The root of every key. */
export const KEY_ROOT = "/registry";
/** The cluster served when a request has no `/clusters/<name>` prefix. */
export const DEFAULT_CLUSTER = "root";

/** Identifies a resource (a collection of one kind) in storage. */
export interface ResourceRef {
  /** API group; `""` (or omitted) for the core group. */
  group?: string;
  /** Plural resource name, e.g. `configmaps`. */
  resource: string;
}

/** Identifies one object in storage. */
export interface ObjectRef extends ResourceRef {
  /** The virtual cluster (`root` by default). */
  cluster: string;
  /** The namespace of a namespaced object. */
  namespace?: string;
  /** The object's name. */
  name: string;
}

function checkSegment(key: string, seg: string, what: string): void {
  if (seg === "") throw invalidKey(key, `empty ${what}`);
  if (seg === "." || seg === "..") {
    throw invalidKey(key, `${what} may not be "${seg}"`);
  }
  if (seg.includes("/")) throw invalidKey(key, `${what} may not contain "/"`);
}

/** `/registry/[<group>/]<resource>/` — every key of one resource, in every cluster. */
export function resourcePrefix(ref: ResourceRef): string {
  const parts = [KEY_ROOT];
  if (ref.group) parts.push(ref.group);
  parts.push(ref.resource);
  const key = parts.join("/") + "/";
  if (ref.group) checkSegment(key, ref.group, "group");
  checkSegment(key, ref.resource, "resource");
  return key;
}

/** `/registry/[<group>/]<resource>/clusters/<cluster>/` — one resource in one cluster. */
export function clusterPrefix(ref: ResourceRef & { cluster: string }): string {
  const key = `${resourcePrefix(ref)}clusters/${ref.cluster}/`;
  checkSegment(key, ref.cluster, "cluster");
  return key;
}

/** `…/clusters/<cluster>/<namespace>/` — one resource in one namespace of one cluster. */
export function namespacePrefix(
  ref: ResourceRef & { cluster: string; namespace: string },
): string {
  const key = `${clusterPrefix(ref)}${ref.namespace}/`;
  checkSegment(key, ref.namespace, "namespace");
  return key;
}

/** The key of one object. Namespaced when `ref.namespace` is set. */
export function objectKey(ref: ObjectRef): string {
  const base = ref.namespace
    ? namespacePrefix({ ...ref, namespace: ref.namespace })
    : clusterPrefix(ref);
  const key = base + ref.name;
  checkSegment(key, ref.name, "name");
  return key;
}

/**
 * Checks that `key` is an absolute storage key under {@linkcode KEY_ROOT}
 * with no empty, `.` or `..` segments. A trailing `/` is allowed (prefix
 * keys). Throws a `StorageError` with code `InvalidKey` otherwise.
 */
export function validateKey(key: string): void {
  if (typeof key !== "string" || key === "") {
    throw invalidKey(String(key), "empty key");
  }
  if (key !== KEY_ROOT && !key.startsWith(KEY_ROOT + "/")) {
    throw invalidKey(key, `keys must start with "${KEY_ROOT}/"`);
  }
  const body = key.endsWith("/") ? key.slice(1, -1) : key.slice(1);
  for (const seg of body.split("/")) {
    if (seg === "") throw invalidKey(key, "empty segment");
    if (seg === "." || seg === "..") {
      throw invalidKey(key, `segment "${seg}" is not allowed`);
    }
  }
  if (key.includes("\u0000")) throw invalidKey(key, "NUL byte");
}

/**
 * Checks that `prefix` is a valid key (see {@linkcode validateKey}) that
 * ends in `/`, as `Store.deletePrefix` requires — a prefix without the slash
 * (`…/clusters/a`) would also match siblings (`…/clusters/ab/…`) — and, when
 * `within` is given, that it starts with `within` (a store's resource
 * prefix). Throws a `StorageError` with code `InvalidKey` otherwise.
 *
 * @example
 * ```ts
 * validatePrefix("/registry/configmaps/clusters/a/", "/registry/configmaps/"); // ok
 * validatePrefix("/registry/configmaps/clusters/a"); // throws InvalidKey
 * ```
 */
export function validatePrefix(prefix: string, within?: string): void {
  validateKey(prefix);
  if (!prefix.endsWith("/")) {
    throw invalidKey(prefix, 'a prefix must end in "/"');
  }
  if (within !== undefined && !prefix.startsWith(within)) {
    throw invalidKey(prefix, `outside the store's resource prefix ${within}`);
  }
}

/**
 * The cluster named in `key`, or `undefined` when the key has no
 * `clusters/<name>` segment.
 */
export function clusterFromKey(key: string): string | undefined {
  const m = /^\/registry\/(?:[^/]+\/)?[^/]+\/clusters\/([^/]+)(?:\/|$)/.exec(
    key,
  );
  return m ? m[1] : undefined;
}

/** The object name in an object `key`: its last segment. */
export function nameFromKey(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/**
 * The smallest string greater than every string starting with `prefix`
 * (for range scans), or `""` when there is none.
 */
export function prefixEnd(prefix: string): string {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const c = prefix.charCodeAt(i);
    if (c < 0xffff) return prefix.slice(0, i) + String.fromCharCode(c + 1);
  }
  return "";
}
