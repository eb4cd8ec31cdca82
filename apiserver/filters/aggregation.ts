/**
 * Aggregation: a request for a group/version that the request's virtual
 * cluster delegates to an extension API server (an APIService with
 * `spec.service`) is proxied there, resource and non-resource paths alike
 * (`/apis/<group>/<version>[/…]`); everything else goes on to dispatch.
 *
 * It sits after authorization, as in kube-apiserver, where the aggregator
 * is the outermost server of the delegation chain and so runs behind the
 * whole handler chain: the caller is authenticated and authorized here
 * (RBAC of the cluster on the request's attributes), and the extension
 * authorizes the same request again, usually by SubjectAccessReview back
 * to this server. Admission does not run on delegated requests (the
 * extension admits its own writes), and neither do the verb handlers.
 *
 * @module
 */

import type { Aggregator } from "../aggregator/mod.ts";
import { proxyToExtension, serveOpenApiDocument } from "../aggregator/mod.ts";
import { pathNotFoundError } from "../status/mod.ts";
import { nonResourceLabels, resourceLabels } from "../metrics/mod.ts";
import { WILDCARD_CLUSTER } from "../routing/wildcard.ts";
import type { Filter } from "./chain.ts";

const DELEGATABLE = /^\/apis\/([^/]+)\/([^/]+)(?:\/|$)/;
const OPENAPI_V3 = /^\/openapi\/v3\/apis\/([^/]+)\/([^/]+)\/?$/;

/** The aggregation filter over `aggregator`'s delegations. */
export function aggregation(aggregator: Aggregator): Filter {
  return async (state, next) => {
    if (state.cluster === WILDCARD_CLUSTER) return await next();
    const o = OPENAPI_V3.exec(state.path);
    if (o && aggregator.delegation(state.cluster, o[1], o[2])) {
      // The extension's document, fetched and cached by the aggregator.
      const doc = aggregator.openApiDocument(state.cluster, o[1], o[2]);
      if (!doc) throw pathNotFoundError();
      state.labels = nonResourceLabels(state.req.method);
      const prefix = state.target.path.slice(
        0,
        state.target.path.length - state.path.length,
      );
      return serveOpenApiDocument(
        doc,
        state.path,
        state.target.query,
        state.req.headers,
        prefix,
      );
    }
    const m = DELEGATABLE.exec(state.path);
    if (!m) return await next();
    const target = aggregator.delegation(state.cluster, m[1], m[2]);
    if (!target) return await next();
    const info = state.info;
    state.labels = info.isResourceRequest
      ? resourceLabels(
        state.req,
        state.target.query,
        info,
        info.group,
        info.resource,
      )
      : nonResourceLabels(state.req.method);
    return await proxyToExtension(
      {
        req: state.req,
        path: state.path,
        user: state.user,
        signal: state.signal,
      },
      target,
      { resolver: aggregator.resolver, clients: aggregator.clients },
    );
  };
}
