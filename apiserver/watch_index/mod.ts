/**
 * One resource watched across every cluster and filed by the cluster in each
 * storage key: {@linkcode watchClusters} runs the watch (initial state from
 * its initial events, restarts on failure, stops with a signal) and hands
 * each change to callbacks; {@linkcode ClusterIndex} keeps the objects per
 * cluster by name on top of it. Admission policies, webhook configurations
 * and the RBAC policy source all read their objects this way.
 *
 * @example
 * ```ts ignore
 * const index = new ClusterIndex({ store, prefix, signal, name: "policy" });
 * await index.start();
 * const policies = index.cluster("root");
 * ```
 *
 * @module
 */

export {
  type ClusterWatchHandlers,
  type ClusterWatchOptions,
  watchClusters,
} from "./cluster_watch.ts";
export {
  ClusterIndex,
  type ClusterIndexOptions,
  type Indexed,
} from "./cluster_index.ts";
