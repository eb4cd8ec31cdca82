/**
 * The end of the chain: hands an authorized request to what serves it —
 * discovery, OpenAPI, metrics and issuer discovery for non-resource paths;
 * the review resources; or the generic verb handler of a served kind, once
 * the verb table (`routing/verb_table.ts`) says the path serves the verb.
 *
 * @module
 */

import type { ResourceContext, ServerServices } from "../handlers/context.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import type {
  ClusterRegistries,
  ResourceRegistry,
} from "../resources/registry.ts";
import {
  type DiscoveryMerge,
  isDiscoveryPath,
  serveDiscovery,
} from "../discovery/serve.ts";
import type { VersionInfo } from "../discovery/version.ts";
import type { StaticResource } from "../discovery/static_resources.ts";
import type { createOpenApiServer } from "../openapi/serve.ts";
import { servedKinds, ServedKindsCache } from "../openapi/served_kinds.ts";
import {
  type MetricsSources,
  nonResourceLabels,
  resourceLabels,
  serveMetrics,
} from "../metrics/mod.ts";
import {
  isIssuerDiscoveryPath,
  serveIssuerDiscovery,
} from "../serviceaccount/mod.ts";
import { lookupReview, serveReview } from "../reviews/mod.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import { lookupDefinition } from "../routing/wildcard.ts";
import type { ResourceRequestInfo } from "../routing/request_info.ts";
import { isVerbServed, pathShape, verbsAt } from "../routing/verb_table.ts";
import { methodNotAllowedError, pathNotFoundError } from "../status/mod.ts";
import type { RequestState, Terminal } from "./chain.ts";

/** The handler of one verb. */
export type VerbHandler = (ctx: ResourceContext) => Promise<Response>;

/** What dispatch needs from the server. */
export interface DispatchDeps {
  registries: ClusterRegistries;
  services: ServerServices;
  verbs: Readonly<Record<string, VerbHandler>>;
  version: VersionInfo;
  /** Extra resources discovery lists (the reviews). */
  staticResources: readonly StaticResource[];
  openapi: ReturnType<typeof createOpenApiServer>;
  metrics: MetricsSources;
  authorizer: Authorizer;
  /** Delegated groups merged into a cluster's discovery (aggregation). */
  discoveryMerge?: (cluster: string) => DiscoveryMerge | undefined;
  /** Delegated OpenAPI v3 index entries of a cluster (aggregation). */
  openApiDelegated?: (
    cluster: string,
  ) => ReadonlyMap<string, string> | undefined;
}

/** The dispatching terminal stage. */
export function dispatch(deps: DispatchDeps): Terminal {
  const openapiKinds = new ServedKindsCache<ResourceRegistry>();

  async function nonResource(state: RequestState): Promise<Response> {
    const { req, path, target } = state;
    const registry = deps.registries.forCluster(state.cluster);
    state.labels = nonResourceLabels(req.method);
    if (isDiscoveryPath(path)) {
      return serveDiscovery(req, path, {
        registry,
        version: deps.version,
        statics: deps.staticResources,
        merge: deps.discoveryMerge?.(state.cluster),
      });
    }
    if (path.startsWith("/openapi/")) {
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw methodNotAllowedError();
      }
      const kinds = openapiKinds.get(
        registry,
        () => servedKinds(registry.groupVersions().flatMap((g) => g.resources)),
      );
      const prefix = target.path.slice(0, target.path.length - path.length);
      const res = await deps.openapi.serveOpenApi(
        path,
        target.query,
        req.headers,
        kinds,
        prefix,
        deps.openApiDelegated?.(state.cluster),
      );
      if (res) return res;
    }
    if (target.path === "/metrics") {
      return await serveMetrics(req, deps.metrics);
    }
    if (isIssuerDiscoveryPath(path)) {
      const res = await serveIssuerDiscovery(
        req,
        path,
        deps.services.tokenIssuer,
      );
      if (res) return res;
    }
    throw pathNotFoundError();
  }

  async function review(
    state: RequestState,
    info: ResourceRequestInfo,
  ): Promise<Response | undefined> {
    const found = lookupReview(info.group, info.version, info.resource);
    if (!found) return undefined;
    if (
      info.name || info.subresource || info.watchPath ||
      found.namespaced !== (info.namespace !== "")
    ) {
      throw pathNotFoundError();
    }
    state.subject = { gr: { group: found.group, resource: found.resource } };
    state.labels = resourceLabels(
      state.req,
      state.target.query,
      info,
      found.group,
      found.resource,
    );
    return await serveReview({
      req: state.req,
      review: found,
      user: state.user,
      cluster: state.cluster,
      namespace: info.namespace,
      authorizer: deps.authorizer,
      tokenReviewer: deps.services.tokenReviewer,
    });
  }

  function resolve(
    state: RequestState,
    info: ResourceRequestInfo,
  ): {
    def: ResourceDefinition;
    acrossClusters?: (c: string) => ResourceDefinition | undefined;
  } {
    const registry = deps.registries.forCluster(state.cluster);
    const found = lookupDefinition(
      deps.registries,
      state.cluster,
      registry,
      info,
    );
    if (!found) throw pathNotFoundError();
    const { def } = found;
    // The path grammar names a namespace object at /namespaces/<name>, with
    // its own name as the request's namespace (as upstream's RequestInfo);
    // any other cluster-scoped kind under /namespaces/<ns>/ does not exist.
    const isNamespaceObject = info.resource === "namespaces" &&
      info.namespace === info.name;
    if (!def.namespaced && info.namespace && !isNamespaceObject) {
      throw pathNotFoundError();
    }
    if (def.namespaced && !info.namespace && info.name) {
      throw pathNotFoundError();
    }
    if (info.subresource && !def.subresources?.[info.subresource]) {
      throw pathNotFoundError();
    }
    return found;
  }

  return async (state) => {
    const info = state.info;
    if (!info.isResourceRequest) return await nonResource(state);
    const reviewed = await review(state, info);
    if (reviewed) return reviewed;
    const { def, acrossClusters } = resolve(state, info);
    state.labels = resourceLabels(
      state.req,
      state.target.query,
      info,
      def.group,
      def.plural,
    );
    const handler = def.subresources?.[info.subresource]?.serve ??
      deps.verbs[info.verb];
    if (!handler || !isVerbServed(def, info)) {
      // No verb at all at this shape: the installer made no route (404).
      if (verbsAt(def, pathShape(def, info), info.subresource).length === 0) {
        throw pathNotFoundError();
      }
      throw methodNotAllowedError();
    }
    state.subject = {
      gr: { group: def.group, resource: def.plural },
      name: info.name,
    };
    if (def.deprecationWarning) state.warnings.push(def.deprecationWarning);
    return await handler({
      req: state.req,
      query: state.target.query,
      user: state.user,
      signal: state.signal,
      watchEvents: state.watchEvents,
      cluster: state.cluster,
      def,
      store: deps.services.storeFor(def),
      namespace: def.namespaced ? info.namespace : "",
      name: info.name,
      subresource: info.subresource,
      verb: info.verb,
      services: deps.services,
      warnings: state.warnings,
      acrossClusters,
    });
  };
}
