/**
 * coordination.k8s.io/v1 (`io.k8s.api.coordination.v1.*`): Lease.
 *
 * @module
 */

import { int32, object, str } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import { kindSchema, listSchema, MICRO_TIME } from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const COORDINATION = "io.k8s.api.coordination.v1";

const LEASE_SPEC: Schema = named(
  `${COORDINATION}.LeaseSpec`,
  object("LeaseSpec is a specification of a Lease.", {
    acquireTime: ref(
      MICRO_TIME,
      "acquireTime is a time when the current lease was acquired.",
    ),
    holderIdentity: str(
      "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
    ),
    leaseDurationSeconds: int32(
      "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it. This is measured against the time of last observed renewTime.",
    ),
    leaseTransitions: int32(
      "leaseTransitions is the number of transitions of a lease between holders.",
    ),
    preferredHolder: str(
      "PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up. This field can only be set if Strategy is also set.",
    ),
    renewTime: ref(
      MICRO_TIME,
      "renewTime is a time when the current holder of a lease has last updated the lease.",
    ),
    strategy: str(
      "Strategy indicates the strategy for picking the leader for coordinated leader election. If the field is not specified, there is no active coordination for this lease. (Alpha) Using this field requires the CoordinatedLeaderElection feature gate to be enabled.",
    ),
  }),
);

/** coordination.k8s.io/v1 `Lease`. */
export const LEASE: Schema = kindSchema(
  `${COORDINATION}.Lease`,
  "Lease defines a lease concept.",
  {
    spec: ref(
      LEASE_SPEC,
      "spec contains the specification of the Lease. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#spec-and-status",
    ),
  },
);

/** coordination.k8s.io/v1 `LeaseList`. */
export const LEASE_LIST: Schema = listSchema(
  `${COORDINATION}.LeaseList`,
  LEASE,
  "items is a list of schema objects.",
);
