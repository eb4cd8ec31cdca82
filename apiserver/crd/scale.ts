/**
 * The `scale` subresource of custom resources, after upstream's
 * `scaleFromCustomResource` / `scaleUpdatedObjectInfo`: the object is seen
 * as an `autoscaling/v1` `Scale` whose `spec.replicas`, `status.replicas`
 * and `status.selector` live at the CRD's `specReplicasPath`,
 * `statusReplicasPath` and `labelSelectorPath`; writing a `Scale` sets the
 * spec replicas (and nothing else) on the stored object.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { SubresourceDefinition } from "../resources/types.ts";
import { invalidError } from "../status/mod.ts";
import { type FieldError, invalid } from "../validation/field_error.ts";
import type { CrdScale } from "./types.ts";

/** `.spec.replicas` → `["spec", "replicas"]`. */
export function simplePathSegments(path: string): string[] {
  return path.replace(/^\./, "").split(".").filter((s) => s !== "");
}

/** The value at a simple path (`.spec.replicas`), or `undefined`. */
export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const seg of simplePathSegments(path)) {
    if (v === null || typeof v !== "object" || Array.isArray(v)) {
      return undefined;
    }
    v = (v as Record<string, unknown>)[seg];
  }
  return v;
}

/** Sets the value at a simple path, creating objects on the way. */
export function setPath(obj: KubeObject, path: string, value: unknown): void {
  const segs = simplePathSegments(path);
  let v = obj as Record<string, unknown>;
  for (const seg of segs.slice(0, -1)) {
    const next = v[seg];
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      v[seg] = {};
    }
    v = v[seg] as Record<string, unknown>;
  }
  v[segs[segs.length - 1]] = value;
}

function int(obj: KubeObject, path: string | undefined): number {
  if (!path) return 0;
  const v = getPath(obj, path);
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
}

/** The `autoscaling/v1` `Scale` view of a custom resource. */
export function scaleOf(obj: KubeObject, paths: CrdScale): KubeObject {
  const m = obj.metadata;
  const selector = paths.labelSelectorPath
    ? getPath(obj, paths.labelSelectorPath)
    : undefined;
  const status: Record<string, unknown> = {
    replicas: int(obj, paths.statusReplicasPath),
  };
  if (typeof selector === "string" && selector !== "") {
    status.selector = selector;
  }
  const metadata: KubeObject["metadata"] = {};
  for (
    const k of [
      "name",
      "namespace",
      "uid",
      "resourceVersion",
      "creationTimestamp",
    ] as const
  ) {
    if (m[k] !== undefined) metadata[k] = m[k];
  }
  return {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata,
    spec: { replicas: int(obj, paths.specReplicasPath) },
    status,
  };
}

/** Problems of a `Scale` request body. */
export function validateScale(scale: KubeObject): FieldError[] {
  const spec = scale.spec as Record<string, unknown> | undefined;
  const r = spec?.replicas ?? 0;
  if (typeof r !== "number" || !Number.isInteger(r)) {
    return [invalid("spec.replicas", r, "must be an integer")];
  }
  if (r < 0) {
    return [invalid("spec.replicas", r, "must be greater than or equal to 0")];
  }
  return [];
}

/**
 * The stored object after writing `scale`: a copy of `current` with
 * `specReplicasPath` set to `scale.spec.replicas`. Throws a 422 for a bad
 * `Scale`.
 */
export function applyScale(
  scale: KubeObject,
  current: KubeObject,
  paths: CrdScale,
): KubeObject {
  const errs = validateScale(scale);
  if (errs.length > 0) {
    throw invalidError(
      "autoscaling",
      "Scale",
      scale.metadata?.name ?? current.metadata.name ?? "",
      errs,
    );
  }
  const out = structuredClone(current);
  const spec = scale.spec as Record<string, unknown> | undefined;
  setPath(out, paths.specReplicasPath ?? ".spec.replicas", spec?.replicas ?? 0);
  return out;
}

/** A `scale` subresource with its `Scale` view for reads and patches. */
export interface ScaleSubresource extends SubresourceDefinition {
  /** What GET/PUT/PATCH on `/scale` show: the `Scale` object. */
  view(stored: KubeObject): KubeObject;
  responseKind: { group: string; version: string; kind: string };
  /** The CRD's paths. */
  paths: CrdScale;
}

/** The `scale` subresource for `paths`. */
export function scaleSubresource(paths: CrdScale): ScaleSubresource {
  return {
    verbs: ["get", "patch", "update"],
    paths,
    view: (stored) => scaleOf(stored, paths),
    responseKind: { group: "autoscaling", version: "v1", kind: "Scale" },
    merge: (next, old) => applyScale(next, old, paths),
  };
}
