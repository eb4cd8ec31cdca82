/**
 * Subresource definitions shared by kinds.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { SubresourceDefinition } from "./types.ts";

/** `status`: an update changes only `.status`; everything else stays. */
export const statusSubresource: SubresourceDefinition = {
  verbs: ["get", "patch", "update"],
  merge(next: KubeObject, old: KubeObject): KubeObject {
    const out = structuredClone(old);
    if (next.status === undefined) delete out.status;
    else out.status = structuredClone(next.status);
    return out;
  },
};
