/**
 * The `namespace` controller (namespace deletion).
 *
 * @module
 */

export {
  deletionConditions,
  type DeletionProgress,
  mergeConditions,
  type NamespaceCondition,
} from "./conditions.ts";
export {
  deleteNamespaceContent,
  isDeletableContent,
  resourceLabel,
} from "./deleter.ts";
export {
  KUBERNETES_FINALIZER,
  namespaceController,
  runNamespaceController,
} from "./namespace_controller.ts";
