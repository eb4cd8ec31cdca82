/**
 * The `resourcequota` controller: keeps ResourceQuota status (`hard`,
 * `used`) exact across every cluster.
 *
 * @module
 */

export {
  RESOURCE_QUOTA_CONTROLLER,
  RESOURCE_QUOTAS,
  resourceQuotaController,
  resourceQuotaControllerWith,
  type ResourceQuotaOptions,
  runResourceQuotaController,
} from "./resource_quota_controller.ts";
export { countedKinds, desiredStatus, lowers } from "./usage.ts";
