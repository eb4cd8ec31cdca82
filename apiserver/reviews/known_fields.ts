/**
 * The fields of a review that upstream keeps: a review body is decoded into
 * its Go type, so anything the type does not declare is lost and never
 * echoed back. These are the declared fields of `authorization.k8s.io/v1`
 * and `authentication.k8s.io/v1` review specs; `metadata` is held to
 * ObjectMeta's schema. Only the shape is projected here: values keep their
 * JSON type (validation reports wrong ones).
 *
 * @module
 */

import { dropUnknownFields, OBJECT_META } from "../schema/mod.ts";

/** A field list: a name, or a name with the fields of its object value. */
type Shape = { [field: string]: Shape | true };

const SELECTOR_REQUIREMENT: Shape = { key: true, operator: true, values: true };

const RESOURCE_ATTRIBUTES: Shape = {
  namespace: true,
  verb: true,
  group: true,
  version: true,
  resource: true,
  subresource: true,
  name: true,
  fieldSelector: { rawSelector: true, requirements: SELECTOR_REQUIREMENT },
  labelSelector: { rawSelector: true, requirements: SELECTOR_REQUIREMENT },
};

const NON_RESOURCE_ATTRIBUTES: Shape = { path: true, verb: true };

const SELF_ACCESS_SPEC: Shape = {
  resourceAttributes: RESOURCE_ATTRIBUTES,
  nonResourceAttributes: NON_RESOURCE_ATTRIBUTES,
};

const ACCESS_SPEC: Shape = {
  ...SELF_ACCESS_SPEC,
  user: true,
  groups: true,
  extra: true,
  uid: true,
};

/** The spec fields of each review kind (SelfSubjectReview has no spec). */
const SPEC_SHAPES: Record<string, Shape> = {
  SelfSubjectAccessReview: SELF_ACCESS_SPEC,
  SubjectAccessReview: ACCESS_SPEC,
  LocalSubjectAccessReview: ACCESS_SPEC,
  SelfSubjectRulesReview: { namespace: true },
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A copy of `value` with only the fields of `shape` (objects in arrays are
 * projected item by item, as a Go slice of structs decodes).
 */
function project(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((v) => project(v, shape));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [field, sub] of Object.entries(shape)) {
    if (!Object.hasOwn(value, field)) continue;
    out[field] = sub === true ? value[field] : project(value[field], sub);
  }
  return out;
}

/**
 * The review's `spec` with only its kind's declared fields (`{}` when the
 * body has none, or for a kind without a spec).
 *
 * @example
 * ```ts
 * knownSpec("SelfSubjectAccessReview", {
 *   resourceAttributes: { verb: "get", bogus: 1 }, user: "x",
 * }); // { resourceAttributes: { verb: "get" } }
 * ```
 */
export function knownSpec(
  kind: string,
  spec: unknown,
): Record<string, unknown> {
  const shape = SPEC_SHAPES[kind];
  if (!shape || !isRecord(spec)) return {};
  return project(spec, shape) as Record<string, unknown>;
}

/** The review's `metadata` with only ObjectMeta's fields (a copy). */
export function knownMetadata(metadata: unknown): Record<string, unknown> {
  if (!isRecord(metadata)) return {};
  return dropUnknownFields({ ...metadata }, OBJECT_META);
}
