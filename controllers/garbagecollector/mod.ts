/**
 * The `garbagecollector` controller and its ownership graph.
 *
 * @module
 */

export {
  GarbageCollector,
  garbageCollectorController,
  isCollectable,
} from "./garbage_collector.ts";
export {
  FOREGROUND_FINALIZER,
  type GraphChanges,
  GraphNode,
  nodeKey,
  ORPHAN_FINALIZER,
  type OwnerReference,
  ownerReferencesOf,
  OwnershipGraph,
} from "./graph.ts";
