/**
 * Request info, computed once from the raw request target: the virtual
 * cluster, the path inside it, upstream's `RequestInfo` (verb, group,
 * version, resource, namespace, name, subresource) and the authorization
 * attributes every later stage reads.
 *
 * @module
 */

import { rawTarget } from "../routing/raw_target.ts";
import { splitClusterPath } from "../routing/cluster.ts";
import { parseRequestInfo, type RequestInfo } from "../routing/request_info.ts";
import type { AuthorizationAttributes } from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";
import type { Filter } from "./chain.ts";

/** The request-info filter. */
export function requestInfo(): Filter {
  return (state, next) => {
    state.target = rawTarget(state.req.url);
    const { cluster, path } = splitClusterPath(state.target.path);
    state.cluster = cluster;
    state.path = path;
    state.info = parseRequestInfo(state.req.method, path, state.target.query);
    state.attributes = attributesOf(state.info, state.user, cluster);
    return next();
  };
}

/** Upstream's authorization attributes of a request. */
export function attributesOf(
  info: RequestInfo,
  user: UserInfo,
  cluster: string,
): AuthorizationAttributes {
  if (!info.isResourceRequest) {
    return {
      user,
      cluster,
      verb: info.verb,
      isResourceRequest: false,
      path: info.path,
    };
  }
  return {
    user,
    cluster,
    verb: info.verb,
    isResourceRequest: true,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource,
    namespace: info.namespace,
    name: info.name,
  };
}
