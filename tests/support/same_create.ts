/**
 * Comparing two objects that should have been created the same way (by a
 * controller's create request and by a cluster's bootstrap, say): what
 * differs between any two creates — uid, timestamps, resourceVersion, the
 * namespace and each managed-fields entry's time — is left out.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";

/** `obj` without what differs between two creates of it. */
export function withoutCreateDetails(obj: KubeObject): unknown {
  const {
    uid: _u,
    creationTimestamp: _c,
    resourceVersion: _r,
    namespace: _n,
    ...meta
  } = obj.metadata;
  return {
    ...obj,
    metadata: {
      ...meta,
      managedFields: meta.managedFields?.map(({ time: _t, ...e }) => e),
    },
  };
}
