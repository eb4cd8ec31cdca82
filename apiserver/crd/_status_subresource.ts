/**
 * The `status` subresource of custom resources, after upstream's
 * `statusStrategy.PrepareForUpdate`: the stored object keeps everything but
 * `.status` (taken from the request, pruned and defaulted) and
 * `metadata.managedFields` (tracked by the status update).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { SubresourceDefinition } from "../resources/types.ts";

/** A `status` subresource that normalises the request with `normalize`. */
export function statusSubresourceMerge(
  normalize: (obj: KubeObject) => void,
): SubresourceDefinition {
  return {
    verbs: ["get", "patch", "update"],
    merge(next: KubeObject, old: KubeObject): KubeObject {
      const incoming = structuredClone(next);
      normalize(incoming);
      const out = structuredClone(old);
      if (incoming.status === undefined) delete out.status;
      else out.status = incoming.status;
      const managed = incoming.metadata?.managedFields;
      if (managed !== undefined) out.metadata.managedFields = managed;
      return out;
    },
  };
}
