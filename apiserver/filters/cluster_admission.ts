/**
 * Cluster admission: a request reaches a virtual cluster only when the
 * cluster exists (`root`, or a declared `VirtualCluster` that is not being
 * deleted) and is bootstrapped; anything else is 404 `cluster "x" not
 * found`, before authorization (a cluster that does not exist has no RBAC to
 * ask). Cross-cluster requests (`/clusters/*`) pass.
 *
 * @module
 */

import type { UserInfo } from "../request_context.ts";
import { WILDCARD_CLUSTER } from "../routing/wildcard.ts";
import type { Filter } from "./chain.ts";

/** Resolves when `cluster` may serve `user`; throws a 404 `ApiError` otherwise. */
export type ClusterAdmit = (cluster: string, user: UserInfo) => Promise<void>;

/** The cluster-admission filter. */
export function clusterAdmission(admit: ClusterAdmit): Filter {
  return async (state, next) => {
    if (state.cluster !== WILDCARD_CLUSTER) {
      await admit(state.cluster, state.user);
    }
    return await next();
  };
}
