/**
 * The generic controllers and the controller manager: garbage collector,
 * namespace deletion, default service accounts, the root CA ConfigMap and
 * ClusterRole aggregation,
 * over a small runtime (informers, work queues, leader election) that acts
 * only through the API.
 *
 * @example
 * ```ts
 * const running = startControllers({ handler: api.handler, logger, rootCA });
 * await running.stop();
 * ```
 *
 * @module
 */

export {
  CONTROLLER_NAMES,
  CONTROLLERS,
  type LeaderElectionConfig,
  type RunningControllers,
  startControllers,
  type StartControllersOptions,
} from "./manager.ts";
export type {
  ControllerContext,
  ControllerDescriptor,
  ControllerResource,
} from "./context.ts";
export { ControllerSelectionError, selectControllers } from "./selection.ts";
