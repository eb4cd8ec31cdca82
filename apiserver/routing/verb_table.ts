/**
 * Which verbs each path shape serves, as kube-apiserver's API installer
 * (`k8s.io/apiserver/pkg/endpoints/installer.go`) registers routes:
 *
 * | path shape | verbs (when the kind's storage serves them) |
 * | --- | --- |
 * | collection (`/<r>`, `/namespaces/<ns>/<r>`) | list, watch, create, deletecollection |
 * | all namespaces (`/<r>` of a namespaced kind) | list, watch |
 * | item (`…/<r>/<name>`) | get, update, patch, delete |
 * | `/watch/…` (legacy watch paths) | watch |
 * | subresource (`…/<name>/<sub>`) | the subresource's own verbs |
 *
 * A verb outside its shape's set is 405 MethodNotAllowed, whatever the
 * kind: the installer registers no route for it. The kind's verbs come from
 * `verbsOf(def)` (the same list discovery and OpenAPI publish), so a kind
 * without `deletecollection` (namespaces) refuses it everywhere.
 *
 * @module
 */

import { type ResourceDefinition, verbsOf } from "../resources/types.ts";
import type { ResourceRequestInfo } from "./request_info.ts";

/** The shape of a resource path. */
export type PathShape =
  | "collection"
  | "allNamespaces"
  | "item"
  | "watchCollection"
  | "watchItem"
  | "subresource";

const SHAPE_VERBS: Record<Exclude<PathShape, "subresource">, Set<string>> = {
  collection: new Set(["list", "watch", "create", "deletecollection"]),
  allNamespaces: new Set(["list", "watch"]),
  item: new Set(["get", "update", "patch", "delete"]),
  watchCollection: new Set(["watch"]),
  watchItem: new Set(["watch"]),
};

/** The shape of the path `info` names for `def`. */
export function pathShape(
  def: ResourceDefinition,
  info: Pick<
    ResourceRequestInfo,
    "namespace" | "name" | "subresource" | "watchPath"
  >,
): PathShape {
  if (info.subresource) return "subresource";
  if (info.watchPath) return info.name ? "watchItem" : "watchCollection";
  if (info.name) return "item";
  return def.namespaced && !info.namespace ? "allNamespaces" : "collection";
}

/**
 * The verbs served at `shape` for `def` (a subresource's verbs for
 * `"subresource"`), in sorted order.
 */
export function verbsAt(
  def: ResourceDefinition,
  shape: PathShape,
  subresource = "",
): string[] {
  if (shape === "subresource") {
    return [...(def.subresources?.[subresource]?.verbs ?? [])].sort();
  }
  const allowed = SHAPE_VERBS[shape];
  const own = verbsOf(def);
  return own.filter((v) => allowed.has(v));
}

/** True when `verb` is served at the path `info` names for `def`. */
export function isVerbServed(
  def: ResourceDefinition,
  info: Pick<
    ResourceRequestInfo,
    "namespace" | "name" | "subresource" | "watchPath" | "verb"
  >,
): boolean {
  const shape = pathShape(def, info);
  if (shape === "subresource") {
    return def.subresources?.[info.subresource]?.verbs.includes(info.verb) ??
      false;
  }
  return SHAPE_VERBS[shape].has(info.verb) && verbsOf(def).includes(info.verb);
}
