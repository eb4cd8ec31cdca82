/**
 * The cross-cluster read path: the cluster name `*` in
 * `/clusters/<name>/api/v1/<resource>` and
 * `/clusters/<name>/apis/<group>/<version>/<resource>` lists or watches one
 * resource in every virtual cluster at once (as kcp's wildcard requests);
 * custom resources from every cluster whose CRD serves that version. Only `list`
 * and `watch` are served, only to `system:masters` and the
 * {@linkcode CROSS_CLUSTER_READERS} group (the controller manager's
 * informers; only the server itself confers it: impersonation across clusters
 * is decided by no cluster's RBAC, so only `system:masters` may use it); the
 * storage is read over
 * the resource's prefix, and every returned object carries its cluster in
 * the {@linkcode CLUSTER_ANNOTATION} annotation — set on the copy that is
 * sent, never stored.
 *
 * @module
 */

import type { KubeObject, Predicate } from "../../storage/mod.ts";
import { clusterFromKey, resourcePrefix } from "../../storage/mod.ts";
import { keyHintOf, withKeyHint } from "../../storage/cacher/mod.ts";
import type { UserInfo } from "../request_context.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type {
  ClusterRegistries,
  ResourceRegistry,
} from "../resources/registry.ts";
import { SYSTEM_MASTERS } from "../authz/authorizer.ts";
import {
  forbiddenError,
  forbiddenPathError,
  methodNotAllowedError,
  pathNotFoundError,
} from "../status/mod.ts";

/** The cluster name that selects every cluster (list and watch only). */
export const WILDCARD_CLUSTER = "*";

/** The annotation naming an object's cluster in cross-cluster answers. */
export const CLUSTER_ANNOTATION = "hyperplane.dev/cluster";

/**
 * The group that may list and watch across clusters without being
 * `system:masters`; RBAC of each cluster still decides every write.
 */
export const CROSS_CLUSTER_READERS = "system:hyperplane:cross-cluster-readers";

/** The verbs served across clusters. */
const WILDCARD_VERBS = new Set(["list", "watch"]);

/** The discovery documents served across clusters. */
const DISCOVERY_PATHS = /^\/(api|apis|openapi|version)(\/.*)?$/;
const AUTHENTICATED = "system:authenticated";

/** What {@linkcode checkWildcardRequest} looks at. */
export interface WildcardRequest {
  isResourceRequest: boolean;
  verb: string;
  /** The path of a non-resource request. */
  path?: string;
  group?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  namespace?: string;
}

/**
 * Refuses what the cross-cluster path does not serve: subresources (404),
 * verbs other than list and watch (405, single objects included), and users
 * outside `system:masters` and the cross-cluster readers (403). Discovery
 * GETs pass for authenticated users: they describe the kinds served across
 * clusters (the built-in ones); any other non-resource path is 404.
 */
export function checkWildcardRequest(
  info: WildcardRequest,
  user: UserInfo,
): void {
  if (!info.isResourceRequest) {
    if (info.verb !== "get") throw methodNotAllowedError();
    // Discovery of the kinds served across clusters (the built-in ones) is
    // what `system:discovery` grants every authenticated user in any
    // cluster; nothing else is served across clusters.
    if (!DISCOVERY_PATHS.test(info.path ?? "")) throw pathNotFoundError();
    if (!user.groups.includes(AUTHENTICATED)) {
      throw forbiddenPathError(
        `User "${user.username}" cannot get path "${info.path}" across clusters`,
      );
    }
    return;
  } else {
    if (info.subresource) throw pathNotFoundError();
    if (!WILDCARD_VERBS.has(info.verb)) throw methodNotAllowedError();
  }
  if (
    !user.groups.includes(SYSTEM_MASTERS) &&
    !user.groups.includes(CROSS_CLUSTER_READERS)
  ) {
    const gr = { group: info.group ?? "", resource: info.resource ?? "" };
    throw forbiddenError(
      gr,
      info.name ?? "",
      `User "${user.username}" cannot ${info.verb} resource "${gr.resource}" in API group "${gr.group}" across clusters`,
    );
  }
}

/** What a resource path resolves to (see {@linkcode lookupDefinition}). */
export interface FoundDefinition {
  def: ResourceDefinition;
  /** Across clusters, for a dynamic kind: its definition per cluster. */
  acrossClusters?: (cluster: string) => ResourceDefinition | undefined;
}

/**
 * The kind served at `group/version/resource`: from `registry` (the
 * request's cluster), or, across clusters, a custom resource kind some
 * cluster serves at that version — answered from every cluster that does,
 * each object decoded by its own cluster's definition.
 */
export function lookupDefinition(
  registries: ClusterRegistries,
  cluster: string,
  registry: ResourceRegistry,
  info: { group: string; version: string; resource: string },
): FoundDefinition | undefined {
  const def = registry.lookup(info.group, info.version, info.resource);
  if (def || cluster !== WILDCARD_CLUSTER) return def && { def };
  const serving = registries.acrossClusters(
    info.group,
    info.version,
    info.resource,
  );
  const first = serving.values().next().value;
  if (!first) return undefined;
  return {
    // Objects are decoded per cluster; the answer's own typing only names
    // the kind.
    def: { ...first, decode: undefined },
    acrossClusters: (c) =>
      registries.acrossClusters(info.group, info.version, info.resource)
        .get(c),
  };
}

/** The storage prefix of `def` in every cluster. */
export function wildcardPrefix(def: ResourceDefinition): string {
  return `${
    resourcePrefix({ group: def.group, resource: def.plural })
  }clusters/`;
}

/** `predicate` narrowed to one namespace (`""`: every namespace). */
export function inNamespace(
  predicate: Predicate,
  namespace: string,
): Predicate {
  if (!namespace) return predicate;
  return withKeyHint({
    everything: false,
    matches: (obj) =>
      obj.metadata.namespace === namespace && predicate.matches(obj),
  }, { ...keyHintOf(predicate), namespace });
}

/** A copy of `obj` annotated with the cluster its storage `key` names. */
export function withClusterAnnotation(
  obj: KubeObject,
  key: string | undefined,
): KubeObject {
  const cluster = key ? clusterFromKey(key) : undefined;
  if (!cluster) return obj;
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: {
        ...(obj.metadata.annotations ?? {}),
        [CLUSTER_ANNOTATION]: cluster,
      },
    },
  };
}

/**
 * An object of a cross-cluster answer as served: annotated with its cluster
 * and, for a dynamic kind (`defs` given), decoded by its cluster's
 * definition (custom resource defaults) unless `decode` is false (a view
 * of the metadata only, which decoding leaves alone). `undefined` when
 * `defs` says its cluster does not serve the kind at the requested version.
 */
export function servedAcrossClusters(
  obj: KubeObject,
  key: string | undefined,
  defs?: (cluster: string) => ResourceDefinition | undefined,
  decode = true,
): KubeObject | undefined {
  if (defs) {
    const cluster = key ? clusterFromKey(key) : undefined;
    const def = cluster ? defs(cluster) : undefined;
    if (!def) return undefined;
    if (decode && def.decode) obj = def.decode(obj);
  }
  return withClusterAnnotation(obj, key);
}

/** The cluster of an object from a cross-cluster answer (or `undefined`). */
export function clusterOf(obj: KubeObject): string | undefined {
  return obj.metadata.annotations?.[CLUSTER_ANNOTATION];
}
