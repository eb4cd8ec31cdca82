/**
 * API aggregation: APIServices delegate group/versions of a virtual
 * cluster to extension API servers. See README.md.
 *
 * @module
 */

export { Aggregator, type AggregatorOptions } from "./aggregator.ts";
export {
  AUTHENTICATION_CONFIGMAP,
  authenticationConfigMapData,
  type AuthenticationSources,
} from "./authentication_configmap.ts";
export {
  checkApiService,
  type CheckResult,
  LOCAL_AVAILABLE,
  type ResourceList,
} from "./availability.ts";
export { type ProxyClientCertificate, ProxyClients } from "./clients.ts";
export {
  compareKubeVersion,
  mergeAggregated,
  mergeGroupList,
  orderRemote,
  remoteApiGroup,
  type RemoteGroupVersion,
  toAggregatedResources,
} from "./discovery_merge.ts";
export {
  AUTOMANAGED_LABEL,
  localApiService,
  type LocalGroupVersion,
} from "./local_apiservices.ts";
export {
  fetchOpenApiV3,
  type OpenApiDocument,
  openApiPath,
  serveOpenApiDocument,
} from "./openapi_merge.ts";
export {
  type ProxyDeps,
  type ProxyRequest,
  type ProxyTarget,
  proxyToExtension,
} from "./proxy.ts";
export {
  type ProxiedUser,
  proxyRequestHeaders,
  proxyResponseHeaders,
  REQUEST_HEADERS,
} from "./proxy_headers.ts";
export {
  createServiceResolver,
  parseServiceMapEntry,
  parseServiceMapFile,
  type ResolutionSource,
  type ResolverOptions,
  serviceKey,
  ServiceNotFoundError,
  type ServiceResolver,
} from "./resolver.ts";
export {
  type AggregationDeps,
  type AggregationOptions,
  setupAggregation,
} from "./setup.ts";
