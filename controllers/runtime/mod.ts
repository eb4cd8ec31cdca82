/**
 * The controller runtime: shared informers, rate-limited work queues,
 * leader election on a Lease, and an abortable sleep.
 *
 * @module
 */

export {
  ALL_CLUSTERS,
  CLUSTER_ANNOTATION,
  type ClusterListener,
  clusterOf,
  ClusterTracker,
  NAMESPACES_INFORMER,
  withoutClusterAnnotation,
} from "./clusters.ts";
export {
  cacheKey,
  Informer,
  type InformerHandler,
  type InformerOptions,
  INITIAL_EVENTS_END,
  objectKeyOf,
  YIELD_EVERY_MS,
} from "./informer.ts";
export {
  partialObjectMetadata,
  shareMetadata,
  withoutManagedFields,
} from "./partial_metadata.ts";
export {
  InformerFactory,
  type InformerSpec,
  type InformerTransform,
} from "./informer_factory.ts";
export {
  DEFAULT_LEASE_NAME,
  type LeaderElectionOptions,
  runLeaderElection,
} from "./leader_election.ts";
export {
  defaultRateLimiter,
  ExponentialBackoff,
  MaxOf,
  type RateLimiter,
  TokenBucket,
} from "./rate_limiter.ts";
export { DiscoveryCache } from "./discovery_cache.ts";
export {
  CRD_RESOURCE,
  type CrdChangeListener,
  onCrdChanges,
} from "./crd_changes.ts";
export { sleep } from "../../internal/sleep.ts";
export { runWorkers, WorkQueue } from "./work_queue.ts";
