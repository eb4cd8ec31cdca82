/**
 * What the garbage collector watches, named: which discovered resources
 * are collectable, the keys it files them under, and the resource an
 * established CRD adds to its cluster's discovery.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { ApiResource } from "../client/mod.ts";
import type { InformerSpec } from "../runtime/mod.ts";

/** Resources the collector never watches (upstream's ignored resources). */
const IGNORED = new Set(["/events", "events.k8s.io/events"]);

/** The key of a resource at one version (`group/version/resource`). */
export function resourceId(
  r: Pick<ApiResource, "group" | "version" | "resource">,
) {
  return `${r.group}/${r.version}/${r.resource}`;
}

/** The group-version an informer's resource belongs to (`v1`, `g/v1`). */
export function groupVersionOf(spec: InformerSpec): string {
  const r = spec.target.resource;
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** True when the collector watches `r`. */
export function isCollectable(r: ApiResource): boolean {
  return ["list", "watch", "delete"].every((v) => r.verbs.includes(v)) &&
    !IGNORED.has(`${r.group}/${r.resource}`);
}

/** The `group/plural` an established CRD serves, if it is established. */
export function crdResource(crd: KubeObject): string | undefined {
  const spec = (crd.spec ?? {}) as { group?: string };
  const status = (crd.status ?? {}) as {
    acceptedNames?: { plural?: string };
    conditions?: { type?: string; status?: string }[];
  };
  const established = status.conditions?.some((c) =>
    c.type === "Established" && c.status === "True"
  );
  const plural = status.acceptedNames?.plural;
  return established && plural ? `${spec.group}/${plural}` : undefined;
}
