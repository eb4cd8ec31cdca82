/**
 * The generic controllers and the controller manager: garbage collector,
 * namespace deletion, default service accounts, the root CA ConfigMap and
 * ClusterRole aggregation,
 * over a small runtime (informers, work queues, leader election) that acts
 * only through the API. The runtime and the client are exported too, so a
 * program writes its own controllers in the same shape
 * ({@linkcode ControllerDescriptor}) and runs them beside the built-in
 * ones (`custom` of {@linkcode startControllers}).
 *
 * @example
 * ```ts
 * import { type ControllerDescriptor, WorkQueue } from "./mod.ts";
 *
 * const echo: ControllerDescriptor = {
 *   name: "echo",
 *   identity: "echo",
 *   async run(ctx, signal) {
 *     const queue = new WorkQueue();
 *     signal.addEventListener("abort", () => queue.shutDown());
 *     queue.add("hello");
 *     const item = await queue.get();
 *     if (item !== undefined) {
 *       ctx.logger.info("got", { item });
 *       queue.done(item);
 *     }
 *   },
 * };
 * ```
 *
 * @module
 */

export {
  CONTROLLER_NAMES,
  CONTROLLERS,
  type LeaderElectionConfig,
  namespaceSeeds,
  type RunningControllers,
  startControllers,
  type StartControllersOptions,
} from "./manager.ts";
export type {
  ControllerContext,
  ControllerDescriptor,
  ControllerResource,
  NamespaceSeed,
} from "./context.ts";
export { ControllerSelectionError, selectControllers } from "./selection.ts";
export {
  ALL_CLUSTERS,
  ApiClient,
  type ApiResource,
  ApiStatusError,
  apiVersionOf,
  clusterOf,
  CORE,
  type DeleteOptions,
  httpTransport,
  inProcessTransport,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type Kubeconfig,
  KubeconfigError,
  type ListOptions,
  type ListPage,
  loadKubeconfig,
  type ReadView,
  type Target,
  type Transport,
  type WatchAnswer,
  type WireEvent,
} from "./client/mod.ts";
export {
  type ClusterListener,
  ClusterTracker,
  Informer,
  InformerFactory,
  type InformerHandler,
  type InformerSpec,
  type InformerTransform,
  type LeaderElectionOptions,
  objectKeyOf,
  runLeaderElection,
  runWorkers,
  WorkQueue,
} from "./runtime/mod.ts";
// Types of the API above that live in other layers.
export type { KubeObject, ObjectMeta } from "../storage/mod.ts";
export type {
  ApiHandler,
  RequestContext,
  UserInfo,
  WatchEventSink,
  WatchObjectEvent,
} from "../apiserver/mod.ts";
export type { LogFields, Logger } from "../log/mod.ts";
