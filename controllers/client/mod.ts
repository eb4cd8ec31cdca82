/**
 * The API client controllers act through: {@linkcode ApiClient} over an
 * in-process or HTTP {@linkcode Transport}, discovery, and typed errors.
 *
 * @example
 * ```ts
 * const client = new ApiClient(inProcessTransport(api.handler));
 * const ns = await client.get({ cluster: "root", resource: CORE.namespaces, name: "default" });
 * ```
 *
 * @module
 */

export {
  ApiClient,
  type DeleteOptions,
  FIELD_MANAGER,
  type ListOptions,
  type ListPage,
  type ReadView,
  type WireEvent,
} from "./api_client.ts";
export {
  ApiStatusError,
  hasStatusCause,
  isAlreadyExists,
  isApiCode,
  isConflict,
  isNotFound,
} from "./api_error.ts";
export {
  discoverResources,
  type DiscoveryResult,
  KindMapper,
} from "./discovery.ts";
export {
  type Kubeconfig,
  KubeconfigError,
  loadKubeconfig,
  parseKubeconfig,
} from "./kubeconfig.ts";
export {
  ALL_CLUSTERS,
  type ApiResource,
  apiVersionOf,
  CLUSTER_ANNOTATION,
  clusterOf,
  clusterPath,
  CORE,
  parseApiVersion,
  type Target,
  targetPath,
  withoutClusterAnnotation,
} from "./resource.ts";
export {
  CONTROLLER_MANAGER_USER,
  controllerUser,
  httpTransport,
  inProcessTransport,
  type Transport,
  type WatchAnswer,
} from "./transport.ts";
