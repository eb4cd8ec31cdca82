/**
 * The `garbagecollector` controller and its ownership graph.
 *
 * @module
 */

export {
  GarbageCollector,
  garbageCollectorController,
} from "./garbage_collector.ts";
export { isCollectable } from "./_resources.ts";
export {
  FOREGROUND_FINALIZER,
  type GraphChanges,
  GraphNode,
  nodeKey,
  type NodeRef,
  ORPHAN_FINALIZER,
  type OwnerReference,
  ownerReferencesOf,
  OwnershipGraph,
} from "./graph.ts";
