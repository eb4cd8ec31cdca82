/**
 * hyperplane as a library: build a Kubernetes-style generic control plane in
 * code (KEP-4080's "generic control plane" shape). Choose the kinds served
 * (built-in ones by name, your own as one {@linkcode ResourceDefinition}
 * each), the storage backend, authentication, authorization, admission and
 * the controllers (built-in or your own {@linkcode ControllerDescriptor}s);
 * {@linkcode createControlPlane} assembles and starts them. `hyperplane
 * server` is built from these exports only.
 *
 * More surface lives in the sub-modules: `./storage` (the store contract),
 * `./apiserver`, `./controllers` (the controller runtime and client) and
 * `./testing` (the storage conformance suite for your own backend).
 *
 * @example
 * ```ts
 * import { createControlPlane } from "./mod.ts";
 *
 * await using cp = await createControlPlane({
 *   resources: ["namespaces", "configmaps"],
 * });
 * const res = await cp.handler(
 *   new Request("http://cp/api/v1/namespaces/default/configmaps", {
 *     method: "POST",
 *     headers: {
 *       authorization: `Bearer ${cp.adminToken}`,
 *       "content-type": "application/json",
 *     },
 *     body: JSON.stringify({ metadata: { name: "hello" }, data: { a: "1" } }),
 *   }),
 * );
 * console.log(res.status); // 201
 * ```
 *
 * @module
 */

export * from "./controlplane/mod.ts";
export * from "./storage/mod.ts";
export * from "./registry/mod.ts";
export { registerBuiltinBackends } from "./backends/register.ts";
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  silentLogger,
} from "./log/mod.ts";
export * from "./version.ts";
export {
  VIRTUAL_CLUSTERS_MODES,
  type VirtualClustersMode,
} from "./apiserver/tenancy/mod.ts";
export {
  type AdmissionAttributes,
  type AdmissionOperation,
  type ApiHandler,
  AUTHORIZATION_MODES,
  type AuthorizationAttributes,
  type AuthorizationDecision,
  type AuthorizationMode,
  type Authorizer,
  BUILTIN_RESOURCES,
  type DeleteAttributes,
  type FieldError,
  type FieldErrorType,
  kindSchema,
  listSchema,
  type MutatingAdmission,
  type NameValidator,
  type RequestAttributes,
  type RequestContext,
  type ResourceDefinition,
  type Schema,
  type SchemaType,
  type SubresourceDefinition,
  type TableColumn,
  type UserInfo,
  type ValidatingAdmission,
  type ValidationRule,
  type VersionInfo,
  type WatchEventSink,
  type WatchObjectEvent,
  type WriteAttributes,
} from "./apiserver/mod.ts";
export { writeFileAtomic, type WriteFileOptions } from "./storage/files.ts";
export { isDns1123Label } from "./apiserver/validation/names.ts";
export {
  ALL_CLUSTERS,
  ApiClient,
  type ApiResource,
  type ClusterListener,
  clusterOf,
  ClusterTracker,
  CONTROLLER_NAMES,
  type ControllerContext,
  type ControllerDescriptor,
  type ControllerResource,
  CONTROLLERS,
  ControllerSelectionError,
  CORE,
  type DeleteOptions as ClientDeleteOptions,
  httpTransport,
  Informer,
  InformerFactory,
  type InformerHandler,
  type InformerSpec,
  type InformerTransform,
  inProcessTransport,
  isConflict,
  isNotFound,
  type Kubeconfig,
  KubeconfigError,
  type LeaderElectionConfig,
  type ListOptions as ClientListOptions,
  type ListPage,
  loadKubeconfig,
  type NamespaceSeed,
  objectKeyOf,
  type ReadView,
  type RunningControllers,
  runWorkers,
  selectControllers,
  startControllers,
  type StartControllersOptions,
  type Target,
  type Transport,
  type WatchAnswer,
  type WireEvent,
  WorkQueue,
} from "./controllers/mod.ts";
