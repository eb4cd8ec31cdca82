/**
 * The API server: assembles the services every request shares and the
 * request pipeline (`filters/`), in kube-apiserver's order: metrics →
 * panic recovery (errors become `Status`) → request info → impersonation →
 * flow control → authorization → dispatch to discovery, OpenAPI, reviews
 * or the verb handler of a served kind (whose writes pass validating
 * admission, `admission/`, before they are stored).
 *
 * @module
 */

import type { TokenReviewer } from "./reviews/token_review.ts";
import type { Store, StoreFactory } from "../storage/mod.ts";
import type { Logger } from "../log/mod.ts";
import type { ApiHandler } from "./request_context.ts";
import type { Authorizer } from "./authz/authorizer.ts";
import {
  type AuthorizationMode,
  setupAuthorization,
} from "./authz/rbac_setup.ts";
import {
  RBAC_GROUP,
  RBAC_RESOURCES,
  type RbacResource,
} from "./authz/rbac/mod.ts";
import {
  admissionChain,
  type MutatingAdmission,
  mutatingChain,
  type ValidatingAdmission,
} from "./admission/admission.ts";
import { rbacEscalation } from "./admission/plugins/rbac_escalation.ts";
import {
  type AdmissionPlugins,
  BUILTIN_ADMISSION,
} from "./admission/builtin.ts";
import { prepareCreate } from "./handlers/strategy.ts";
import { withTypeMeta } from "./handlers/context.ts";
import { ClusterBootstrap } from "./cluster_bootstrap.ts";
import type { NamespaceSeed } from "./namespace_seeds.ts";
import { defaultVersionInfo, type VersionInfo } from "./discovery/version.ts";
import type { ServerServices } from "./handlers/context.ts";
import { NamespaceLifecycle } from "./handlers/namespace_lifecycle.ts";
import {
  generateSigningKey,
  ServiceAccountTokenIssuer,
} from "./serviceaccount/mod.ts";
import { handleCreate } from "./handlers/create.ts";
import { handleDelete } from "./handlers/delete.ts";
import { handleDeleteCollection } from "./handlers/delete_collection.ts";
import { handleGet } from "./handlers/get.ts";
import { handleList } from "./handlers/list.ts";
import { handleUpdate } from "./handlers/update.ts";
import { createOpenApiServer } from "./openapi/serve.ts";
import { BUILTIN_RESOURCES, ClusterRegistries } from "./resources/registry.ts";
import { CrdController } from "./crd/controller.ts";
import { convertingStore } from "./resources/converting_store.ts";
import type { ResourceDefinition } from "./resources/types.ts";
import { REVIEW_RESOURCES } from "./reviews/mod.ts";
import { handleWatch } from "./watch/serve_watch.ts";
import {
  type MetricFamily,
  type MetricsSources,
  RequestMetrics,
  type Sample,
} from "./metrics/mod.ts";
import { WatchRegistry } from "./watch/registry.ts";
import { buildChain } from "./filters/chain.ts";
import { metrics } from "./filters/metrics.ts";
import { recovery } from "./filters/recovery.ts";
import { requestInfo } from "./filters/request_info.ts";
import { impersonation } from "./filters/impersonation.ts";
import { authorization } from "./filters/authorization.ts";
import { flowControl } from "./filters/flow_control.ts";
import { dispatch, type VerbHandler } from "./filters/dispatch.ts";
import { aggregation } from "./filters/aggregation.ts";
import { type AggregationOptions, setupAggregation } from "./aggregator/mod.ts";
import { clusterAdmission } from "./filters/cluster_admission.ts";
import { setupTenancy, type VirtualClustersMode } from "./tenancy/mod.ts";

/** Options for {@linkcode createApiServer}. */
export interface ApiServerOptions {
  /** The storage (usually the watch cache over a backend). */
  storage: StoreFactory;
  /** Where the server logs. */
  logger: Logger;
  /**
   * Decides every request; default: the one `authorizationMode` names.
   * Given here, it replaces RBAC (the bootstrap policy is still written).
   */
  authorizer?: Authorizer;
  /** `RBAC` (default) or `AlwaysAllow` (unsafe; logged). */
  authorizationMode?: AuthorizationMode;
  /**
   * Flow control (see `filters/flow_control.ts`): seats of the read-only
   * and mutating pools (defaults 400 and 200, as upstream; 0 turns a pool
   * off), how many requests one flow may queue and for how long.
   */
  flowControl?: {
    maxRequestsInflight?: number;
    maxMutatingRequestsInflight?: number;
    queueLength?: number;
    queueWaitMs?: number;
  };
  /** Validating admission plugins run after the built-in ones. */
  admission?: readonly ValidatingAdmission[];
  /** Mutating admission plugins. */
  mutatingAdmission?: readonly MutatingAdmission[];
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
  /** More metric families for `/metrics` (e.g. storage transformations). */
  extraMetrics?: () => MetricFamily[];
  /**
   * Checks the tokens of TokenReviews: the serving layer's token
   * authenticators (`unionTokenAuthenticator`). Without it every
   * TokenReview answers `authenticated: false`.
   */
  tokenReviewer?: TokenReviewer;
  /**
   * API aggregation (APIServices delegating group/versions to extension
   * servers, `aggregator/`); without it APIServices are stored but nothing
   * is delegated.
   */
  aggregation?: AggregationOptions;
  /**
   * `declared` (default): a path naming a cluster with no `VirtualCluster`
   * is 404; `implicit`: the first request creates it (`tenancy/`).
   */
  virtualClusters?: VirtualClustersMode;
}

/** A running API server: hand `handler` to the serving layer. */
export interface ApiServer {
  /** Serves one request. */
  handler: ApiHandler;
  /** Resolves when storage can serve. */
  readiness(): Promise<void>;
  /** Stops every watch stream; the storage is the caller's to close. */
  close(): Promise<void>;
  /**
   * From now on, each system namespace a cluster's bootstrap creates starts
   * with `seeds`: the objects the in-process controllers would create in it
   * (`ClusterBootstrap.seedNamespaces`).
   */
  seedNamespaces(seeds: readonly NamespaceSeed[]): void;
}

/** The review resources as discovery lists them (create only). */
const REVIEW_DISCOVERY = REVIEW_RESOURCES.map((r) => ({
  ...r,
  verbs: ["create"],
}));

/**
 * PATCH (JSON, merge, strategic merge and apply patches: 12 modules) is
 * loaded by the first patch request instead of with the server (issue 21:
 * start to `/readyz`). A fixed specifier, so `deno compile` embeds it.
 */
const handlePatch: VerbHandler = async (ctx) =>
  (await import("./handlers/patch.ts")).handlePatch(ctx);

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
    extra: opts.extraMetrics,
  };
  const admission: ValidatingAdmission[] = [];
  const mutating: MutatingAdmission[] = [];
  const namespaceLifecycle = new NamespaceLifecycle();
  const services: ServerServices = {
    logger,
    admission: admissionChain(admission),
    mutatingAdmission: mutatingChain(mutating),
    namespaces,
    namespaceLifecycle,
    // Namespace admission reads live for a while after a namespace delete.
    deleting: (def, cluster, name) => {
      if (def === namespaces) namespaceLifecycle.deleting(cluster, name);
    },
    builtin: (group, version, plural) =>
      registries.builtins.lookup(group, version, plural),
    tokenIssuer: opts.tokenIssuer ??
      new ServiceAccountTokenIssuer({ key: generateSigningKey, now }),
    tokenReviewer: opts.tokenReviewer,
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
  // RBAC's objects are stored (the bootstrap policy decides) even when a
  // control plane built in code does not serve the RBAC kinds.
  const rbacDef = (resource: RbacResource) => {
    const def = registries.builtins.lookup(RBAC_GROUP, "v1", resource) ??
      BUILTIN_RESOURCES.find((d) =>
        d.group === RBAC_GROUP && d.version === "v1" && d.plural === resource
      );
    if (!def) throw new Error(`no definition of the ${resource} resource`);
    return def;
  };
  const authz = await setupAuthorization({
    mode: opts.authorizationMode ?? "RBAC",
    stores: Object.fromEntries(
      RBAC_RESOURCES.map((r) => [r, services.storeFor(rbacDef(r))]),
    ) as Record<RbacResource, Store>,
    prepare: (obj, resource) =>
      prepareCreate(
        rbacDef(resource),
        withTypeMeta(rbacDef(resource), obj),
        now(),
      ),
    logger,
  });
  const authorizer = opts.authorizer ?? authz.authorizer;
  services.authorize = (attrs) => authorizer.authorize(attrs);
  if (authz.resolver && !opts.authorizer) {
    admission.push(rbacEscalation(authorizer, authz.resolver));
  }
  const stopping = new AbortController();
  const plugins: AdmissionPlugins[] = [];
  for (const factory of BUILTIN_ADMISSION) {
    const p = await factory({
      logger,
      now,
      authorizer,
      storeFor: (def) => services.storeFor(def),
      builtin: services.builtin,
      lookup: (cluster, group, version, plural) =>
        registries.forCluster(cluster).lookup(group, version, plural),
      served: (cluster) =>
        registries.forCluster(cluster).groupVersions().flatMap((g) =>
          g.resources
        ),
      signal: stopping.signal,
    });
    plugins.push(p);
    mutating.push(...(p.mutating ?? []));
    admission.push(...(p.validating ?? []));
  }
  mutating.push(...(opts.mutatingAdmission ?? []));
  admission.push(...(opts.admission ?? []));
  const aggregator = opts.aggregation &&
    setupAggregation(opts.aggregation, {
      registries,
      statics: REVIEW_DISCOVERY,
      storeFor: (def) => services.storeFor(def),
      logger,
      now,
    });
  const bootstrap = new ClusterBootstrap(
    namespaces,
    services.storeFor(namespaces),
    now,
    async (cluster) => {
      // Independent writes: concurrent, so they share group commits.
      await Promise.all([
        authz.bootstrap(cluster),
        aggregator?.bootstrap(cluster),
      ]);
    },
  );
  await bootstrap.ensure("root");
  const systemNamespaces = bootstrap.watchDeletions(stopping.signal, logger);
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
  const tenancy = setupTenancy({
    mode: opts.virtualClusters ?? "declared",
    storage: opts.storage,
    registries,
    storeFor: (def) => services.storeFor(def),
    bootstrap,
    namespaces,
    clusterRoleBindings: rbacDef("clusterrolebindings"),
    logger,
    now,
  });
  admission.push(tenancy.admission);
  await tenancy.start();
  // After every kind of the start is registered (CRDs, virtual clusters):
  // its first sync prunes stale local APIServices (see `bootstrap`).
  await aggregator?.start();
  // Not beside the aggregator's first sync: adoption fills the namespaces
  // cache, which delayed that sync, and with it `/readyz`, by ~0.5 s at
  // 10,000 clusters.
  tenancy.adopt();
  const handler = buildChain(
    [
      metrics(requestMetrics, logger),
      recovery(logger),
      requestInfo(),
      impersonation(authorizer, logger),
      clusterAdmission((cluster, user) =>
        tenancy.directory.admit(cluster, user)
      ),
      flowControl({
        maxRequestsInflight: opts.flowControl?.maxRequestsInflight ?? 400,
        maxMutatingRequestsInflight:
          opts.flowControl?.maxMutatingRequestsInflight ?? 200,
        queueLength: opts.flowControl?.queueLength,
        queueWaitMs: opts.flowControl?.queueWaitMs,
        logger,
      }),
      authorization(authorizer),
      ...(aggregator ? [aggregation(aggregator)] : []),
    ],
    dispatch({
      registries,
      services,
      verbs: VERBS,
      version,
      staticResources: REVIEW_DISCOVERY,
      openapi: createOpenApiServer(),
      metrics: metricsSources,
      authorizer,
      discoveryMerge: (cluster) => aggregator?.discoveryMerge(cluster),
      openApiDelegated: (cluster) => aggregator?.openApiIndex(cluster),
    }),
  );

  return {
    handler,
    readiness: () => opts.storage.readiness(),
    seedNamespaces: (seeds) =>
      bootstrap.seedNamespaces(seeds, ({ group, version, resource }) => {
        const def = registries.builtins.lookup(group, version, resource);
        return def && { def, store: services.storeFor(def) };
      }),
    close: async () => {
      stopping.abort();
      await tenancy.close();
      await systemNamespaces;
      await authz.close();
      for (const p of plugins) await p.close?.();
      await crds?.close();
      await aggregator?.close();
      await services.watches.close();
    },
  };
}
