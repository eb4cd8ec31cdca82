/**
 * Build a control plane in code: {@linkcode createControlPlane} assembles
 * storage, authentication, the API server (with the kinds you choose,
 * built-in or your own) and the in-process controllers, and serves them
 * over HTTPS on `serve()`. `hyperplane server` is one user of it.
 *
 * @example
 * ```ts
 * import { createControlPlane } from "./mod.ts";
 *
 * await using cp = await createControlPlane({ resources: ["configmaps"] });
 * const served = await cp.serve();
 * await Deno.writeTextFile(`${cp.dataDir}/kubeconfig`, await cp.kubeconfig());
 * console.log(served.url);
 * ```
 *
 * @module
 */

export {
  type ControlPlane,
  type ControlPlaneKubeconfigUser,
  createControlPlane,
  type ServedControlPlane,
} from "./control_plane.ts";
export type { FetchHandler } from "./fetch_handler.ts";
export type { ControlPlaneAggregation } from "./aggregation.ts";
export type { ResolutionSource } from "../apiserver/aggregator/mod.ts";
export type {
  AdmissionOptions,
  AuthenticationOptions,
  AuthorizationOptions,
  BackendChoice,
  ControllerChoice,
  ControlPlaneOptions,
  ResourceChoice,
  ServingOptions,
  StorageFeatures,
} from "./options.ts";
export { StorageConfigError } from "./storage.ts";
export { resolveResources, ResourceChoiceError } from "./resources.ts";
export { type ControllerPlan, controllerPlan } from "./controllers.ts";
