/**
 * The API server: routes each request (cluster, discovery, resources),
 * authorizes it, runs the generic handler for its verb, and turns every
 * failure into a `Status`.
 *
 * @module
 */

import type { Store, StoreFactory } from "../storage/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ApiHandler, RequestContext } from "./request_context.ts";
import {
  type Authorizer,
  defaultAuthorizer,
  denialMessage,
} from "./authz/authorizer.ts";
import { impersonatedUser } from "./authz/impersonation.ts";
import { ClusterBootstrap } from "./cluster_bootstrap.ts";
import { isDiscoveryPath, serveDiscovery } from "./discovery/serve.ts";
import { defaultVersionInfo, type VersionInfo } from "./discovery/version.ts";
import type { ResourceContext, ServerServices } from "./handlers/context.ts";
import { NamespaceLifecycle } from "./handlers/namespace_lifecycle.ts";
import {
  generateSigningKey,
  isIssuerDiscoveryPath,
  serveIssuerDiscovery,
  ServiceAccountTokenIssuer,
} from "./serviceaccount/mod.ts";
import { handleCreate } from "./handlers/create.ts";
import { handleDelete } from "./handlers/delete.ts";
import { handleDeleteCollection } from "./handlers/delete_collection.ts";
import { handleGet } from "./handlers/get.ts";
import { handleList } from "./handlers/list.ts";
import { handlePatch } from "./handlers/patch.ts";
import { handleUpdate } from "./handlers/update.ts";
import { errorResponse } from "./http/response.ts";
import { warningHeaderValue } from "./schema/mod.ts";
import { createOpenApiServer } from "./openapi/serve.ts";
import { servedKinds, ServedKindsCache } from "./openapi/served_kinds.ts";
import {
  BUILTIN_RESOURCES,
  ClusterRegistries,
  type ResourceRegistry,
} from "./resources/registry.ts";
import { CrdController } from "./crd/controller.ts";
import { convertingStore } from "./resources/converting_store.ts";
import type { ResourceDefinition } from "./resources/types.ts";
import { lookupReview, REVIEW_RESOURCES, serveReview } from "./reviews/mod.ts";
import { splitClusterPath } from "./routing/cluster.ts";
import {
  checkWildcardRequest,
  lookupDefinition,
  WILDCARD_CLUSTER,
} from "./routing/wildcard.ts";
import { parseRequestInfo } from "./routing/request_info.ts";
import {
  type ErrorSubject,
  forbiddenError,
  forbiddenPathError,
  methodNotAllowedError,
  pathNotFoundError,
  toApiError,
} from "./status/mod.ts";
import { handleWatch } from "./watch/serve_watch.ts";
import {
  type MetricsSources,
  nonResourceLabels,
  type RequestLabels,
  RequestMetrics,
  resourceLabels,
  type Sample,
  serveMetrics,
} from "./metrics/mod.ts";
import { WatchRegistry } from "./watch/registry.ts";

/** Options for {@linkcode createApiServer}. */
export interface ApiServerOptions {
  /** The storage (usually the watch cache over a backend). */
  storage: StoreFactory;
  logger: Logger;
  /** Decides every request; default: `system:masters` may do anything. */
  authorizer?: Authorizer;
  /** The kinds served; default {@linkcode BUILTIN_RESOURCES}. */
  resources?: readonly ResourceDefinition[];
  /** Served at `/version`. */
  version?: VersionInfo;
  /** The clock (tests may pin it). */
  now?: () => Date;
  /** Upper bound for watch `timeoutSeconds` (default 3600). */
  maxWatchTimeoutSeconds?: number;
  /**
   * Run the CRD controller (status, serving custom resources, cleanup on
   * delete) when the CRD kind is served; default true.
   */
  crdController?: boolean;
  /**
   * Signs and verifies service account tokens (TokenRequest); default: an
   * issuer with a fresh in-memory key, so tokens die with the process.
   */
  tokenIssuer?: ServiceAccountTokenIssuer;
}

/** A running API server: hand `handler` to the serving layer. */
export interface ApiServer {
  /** Serves one request. */
  handler: ApiHandler;
  /** Resolves when storage can serve. */
  readiness(): Promise<void>;
  /** Stops every watch stream; the storage is the caller's to close. */
  close(): Promise<void>;
}

type VerbHandler = (ctx: ResourceContext) => Promise<Response>;

/** The review resources as discovery lists them (create only). */
const REVIEW_DISCOVERY = REVIEW_RESOURCES.map((r) => ({
  ...r,
  verbs: ["create"],
}));

const VERBS: Record<string, VerbHandler> = {
  get: handleGet,
  list: handleList,
  watch: handleWatch,
  create: handleCreate,
  update: handleUpdate,
  patch: handlePatch,
  delete: handleDelete,
  deletecollection: handleDeleteCollection,
};

/**
 * Creates the API server over `opts.storage` and makes sure cluster `root`
 * has its system namespaces.
 *
 * @example
 * ```ts
 * const api = await createApiServer({ storage, logger });
 * const res = await api.handler(new Request("http://x/api/v1/namespaces"), {
 *   user: { username: "admin", groups: ["system:masters"] },
 * });
 * ```
 */
export async function createApiServer(
  opts: ApiServerOptions,
): Promise<ApiServer> {
  const registries = new ClusterRegistries(
    opts.resources ?? BUILTIN_RESOURCES,
  );
  const namespaces = registries.builtins.lookup("", "v1", "namespaces");
  if (!namespaces) throw new Error("the namespaces resource must be served");
  const logger = opts.logger;
  const authorizer = opts.authorizer ?? defaultAuthorizer();
  const version = opts.version ?? defaultVersionInfo();
  const now = opts.now ?? (() => new Date());
  const stores = new Map<string, Store>();
  /** Stores by upstream's `apiserver_storage_objects` resource label. */
  const storedResources = new Map<string, Store>();
  const requestMetrics = new RequestMetrics();
  const metricsSources: MetricsSources = {
    requests: requestMetrics,
    watches: () =>
      [...services.watches.counts()].map(([label, value]) => ({
        labels: JSON.parse(label),
        value,
      })),
    storageObjects: async () => {
      const out: Sample[] = [];
      for (const [resource, store] of storedResources) {
        const { objectCount } = await store.stats();
        out.push({ labels: { resource }, value: objectCount });
      }
      return out.sort((a, b) =>
        a.labels.resource.localeCompare(b.labels.resource)
      );
    },
    startedAt: performance.timeOrigin,
  };
  const services: ServerServices = {
    logger,
    namespaces,
    namespaceLifecycle: new NamespaceLifecycle(),
    builtin: (group, version, plural) =>
      registries.builtins.lookup(group, version, plural),
    tokenIssuer: opts.tokenIssuer ??
      new ServiceAccountTokenIssuer({ key: generateSigningKey, now }),
    watches: new WatchRegistry(),
    now,
    maxWatchTimeoutSeconds: opts.maxWatchTimeoutSeconds ?? 3600,
    onKindsChanged: (listener) => registries.subscribe(listener),
    isServed: (cluster, def) =>
      registries.forCluster(cluster).lookup(
        def.group,
        def.version,
        def.plural,
      ) !==
        undefined,
    storeFor(def) {
      const key = `${def.group}/${def.plural}`;
      let s = stores.get(key);
      if (!s) {
        const own = { group: def.group, resource: def.plural };
        s = def.storedAs
          ? convertingStore(
            opts.storage.storeFor(def.storedAs),
            own,
            def.storedAs,
          )
          : opts.storage.storeFor(own);
        stores.set(key, s);
        if (!def.storedAs) {
          storedResources.set(
            def.group ? `${def.plural}.${def.group}` : def.plural,
            s,
          );
        }
      }
      return s;
    },
  };
  const bootstrap = new ClusterBootstrap(
    namespaces,
    services.storeFor(namespaces),
    now,
  );
  await bootstrap.ensure("root");
  const crdDef = registries.builtins.lookup(
    "apiextensions.k8s.io",
    "v1",
    "customresourcedefinitions",
  );
  const crds = crdDef && opts.crdController !== false
    ? new CrdController({
      crdStore: services.storeFor(crdDef),
      registries,
      storeFor: (group, plural) =>
        opts.storage.storeFor({ group, resource: plural }),
      logger,
      now,
    })
    : undefined;
  await crds?.start();
  const openapi = createOpenApiServer();
  const openapiKinds = new ServedKindsCache<ResourceRegistry>();

  async function route(
    req: Request,
    rctx: RequestContext,
    subject: { value?: ErrorSubject },
    warnings: string[],
    observed: { labels?: RequestLabels },
  ): Promise<Response> {
    const url = new URL(req.url);
    const { cluster, path } = splitClusterPath(url.pathname);
    const user = await impersonatedUser(
      req.headers,
      rctx.user,
      cluster,
      authorizer,
    );
    if (user !== rctx.user) {
      logger.debug("impersonating", { user: rctx.user.username, as: user });
      rctx = { ...rctx, user };
    }
    const registry = registries.forCluster(cluster);
    const info = parseRequestInfo(req.method, path, url.searchParams);
    if (cluster === WILDCARD_CLUSTER) checkWildcardRequest(info, rctx.user);
    if (!info.isResourceRequest) {
      observed.labels = nonResourceLabels(req.method);
      const decision = await authorizer.authorize({
        user: rctx.user,
        cluster,
        verb: info.verb,
        isResourceRequest: false,
        path,
      });
      if (!decision.allowed) {
        throw forbiddenPathError(
          decision.reason ?? denialMessage({
            user: rctx.user,
            cluster,
            verb: info.verb,
            isResourceRequest: false,
            path,
          }),
        );
      }
      if (isDiscoveryPath(path)) {
        return serveDiscovery(req, path, {
          registry,
          version,
          statics: REVIEW_DISCOVERY,
        });
      }
      if (path.startsWith("/openapi/")) {
        if (req.method !== "GET" && req.method !== "HEAD") {
          throw methodNotAllowedError();
        }
        const kinds = openapiKinds.get(
          registry,
          () =>
            servedKinds(registry.groupVersions().flatMap((g) => g.resources)),
        );
        const prefix = url.pathname.slice(0, url.pathname.length - path.length);
        const res = await openapi.serveOpenApi(
          path,
          url.searchParams,
          req.headers,
          kinds,
          prefix,
        );
        if (res) return res;
      }
      if (url.pathname === "/metrics") {
        return await serveMetrics(req, metricsSources);
      }
      if (isIssuerDiscoveryPath(path)) {
        const res = await serveIssuerDiscovery(req, path, services.tokenIssuer);
        if (res) return res;
      }
      throw pathNotFoundError();
    }
    const review = lookupReview(info.group, info.version, info.resource);
    if (review) {
      if (
        info.name || info.subresource ||
        review.namespaced !== (info.namespace !== "")
      ) {
        throw pathNotFoundError();
      }
      const gr = { group: review.group, resource: review.resource };
      subject.value = { gr };
      observed.labels = resourceLabels(
        req,
        url.searchParams,
        info,
        review.group,
        review.resource,
      );
      const attrs = {
        user: rctx.user,
        cluster,
        verb: info.verb,
        isResourceRequest: true,
        apiGroup: review.group,
        apiVersion: review.version,
        resource: review.resource,
        namespace: info.namespace,
      };
      const decision = await authorizer.authorize(attrs);
      if (!decision.allowed) {
        throw forbiddenError(gr, "", decision.reason ?? denialMessage(attrs));
      }
      return await serveReview({
        req,
        review,
        user: rctx.user,
        cluster,
        namespace: info.namespace,
        authorizer,
      });
    }
    const found = lookupDefinition(registries, cluster, registry, info);
    if (!found) throw pathNotFoundError();
    const { def, acrossClusters } = found;
    observed.labels = resourceLabels(
      req,
      url.searchParams,
      info,
      def.group,
      def.plural,
    );
    const isNamespaceObject = def === namespaces;
    if (!def.namespaced && info.namespace && !isNamespaceObject) {
      throw pathNotFoundError();
    }
    if (info.subresource && !def.subresources?.[info.subresource]) {
      throw pathNotFoundError();
    }
    if (
      info.subresource &&
      !def.subresources![info.subresource].verbs.includes(info.verb)
    ) {
      await req.body?.cancel();
      throw methodNotAllowedError();
    }
    const handler = VERBS[info.verb];
    if (!handler) throw methodNotAllowedError();
    const namespace = def.namespaced ? info.namespace : "";
    if (
      def.namespaced && !namespace &&
      !["list", "watch", "deletecollection"].includes(info.verb)
    ) {
      throw pathNotFoundError();
    }
    const gr = { group: def.group, resource: def.plural };
    subject.value = { gr, name: info.name };
    const attrs = {
      user: rctx.user,
      cluster,
      verb: info.verb,
      isResourceRequest: true,
      apiGroup: def.group,
      apiVersion: def.version,
      resource: def.plural,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    const decision = await authorizer.authorize(attrs);
    if (!decision.allowed) {
      throw forbiddenError(
        gr,
        info.name,
        decision.reason ?? denialMessage(attrs),
      );
    }
    if (cluster !== WILDCARD_CLUSTER) await bootstrap.ensure(cluster);
    if (def.deprecationWarning) warnings.push(def.deprecationWarning);
    return await handler({
      req,
      url,
      query: url.searchParams,
      user: rctx.user,
      signal: rctx.signal,
      cluster,
      def,
      store: services.storeFor(def),
      namespace,
      name: info.name,
      subresource: info.subresource,
      verb: info.verb,
      services,
      warnings,
      acrossClusters,
    });
  }

  const handler: ApiHandler = async (req, rctx) => {
    const start = performance.now();
    const subject: { value?: ErrorSubject } = {};
    const warnings: string[] = [];
    const observed: { labels?: RequestLabels } = {};
    const inflight = requestMetrics.begin(req.method);
    let res: Response;
    try {
      res = await route(req, rctx, subject, warnings, observed);
    } catch (e) {
      const err = toApiError(e, subject.value);
      if (err.code >= 500 && err.code !== 503 && err.code !== 504) {
        logger.error("request failed", { error: e, path: req.url });
      }
      if (req.body && !req.bodyUsed) await req.body.cancel().catch(() => {});
      res = errorResponse(err);
    }
    for (const w of warnings) {
      res.headers.append("Warning", warningHeaderValue(w));
    }
    inflight();
    const seconds = (performance.now() - start) / 1000;
    const labels = observed.labels ?? nonResourceLabels(req.method);
    // A watch is long-running: counted, but kept out of the latencies.
    requestMetrics.observe(
      labels,
      res.status,
      labels.verb === "WATCH" ? undefined : seconds,
    );
    logger.debug("request", {
      method: req.method,
      path: new URL(req.url).pathname,
      code: res.status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      user: rctx.user.username,
    });
    return res;
  };

  return {
    handler,
    readiness: () => opts.storage.readiness(),
    close: async () => {
      await crds?.close();
      await services.watches.close();
    },
  };
}
