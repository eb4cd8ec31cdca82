/**
 * Naming as upstream: definition names of unnamed kinds, operation ids and
 * tags, and the group-version path segments.
 *
 * @module
 */

import type { ServedKind } from "./types.ts";

/** `io.k8s.api.core.v1.Foo` for core, `com.example.stable.v1.Foo` otherwise. */
export function defaultDefinitionName(
  group: string,
  version: string,
  kind: string,
): string {
  if (group === "") return `io.k8s.api.core.${version}.${kind}`;
  return `${group.split(".").reverse().join(".")}.${version}.${kind}`;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `Core`, `RbacAuthorization`, `StableExampleCom` (operation id part). */
export function groupIdPart(group: string): string {
  if (group === "") return "Core";
  return group.replace(/\.k8s\.io$/, "").split(/[.-]/).map(upperFirst).join(
    "",
  );
}

/** The tag of a group version: `core_v1`, `rbacAuthorization_v1`. */
export function tagOf(group: string, version: string): string {
  const g = groupIdPart(group);
  return `${g.charAt(0).toLowerCase()}${g.slice(1)}_${version}`;
}

/** `api/v1` or `apis/rbac.authorization.k8s.io/v1` (no leading slash). */
export function groupVersionPath(group: string, version: string): string {
  return group === "" ? `api/${version}` : `apis/${group}/${version}`;
}

/** The `x-kubernetes-group-version-kind` value of one kind. */
export function gvkOf(k: Pick<ServedKind, "group" | "version" | "kind">): {
  group: string;
  kind: string;
  version: string;
} {
  return { group: k.group, kind: k.kind, version: k.version };
}
