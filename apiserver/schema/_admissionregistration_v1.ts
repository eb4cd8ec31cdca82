/**
 * The admissionregistration.k8s.io/v1 schema parts that the webhook
 * configurations and the admission policies share: the rule lists every
 * `Rule` carries, `MatchCondition`, and the list semantics both use.
 * Upstream describes `resources` and `scope` differently for the two rule
 * kinds, so those stay with each.
 *
 * @module
 */

import { object, str, strList } from "./_builders.ts";
import { named } from "./_named.ts";
import type { Schema } from "./types.ts";

/** The definitions' name prefix. */
export const AR = "io.k8s.api.admissionregistration.v1";
/** `x-kubernetes-list-type: atomic`. */
export const ATOMIC: Schema = { "x-kubernetes-list-type": "atomic" };
/** A list merged by `name` (strategic merge patch and server-side apply). */
export const BY_NAME: Schema = {
  "x-kubernetes-list-type": "map",
  "x-kubernetes-list-map-keys": ["name"],
  "x-kubernetes-patch-merge-key": "name",
  "x-kubernetes-patch-strategy": "merge",
};

/** `apiGroups`, `apiVersions` and `operations` of a rule with operations. */
export function ruleLists(): Record<string, Schema> {
  return {
    apiGroups: strList(
      "APIGroups is the API groups the resources belong to. '*' is all groups. If '*' is present, the length of the slice must be one. Required.",
      ATOMIC,
    ),
    apiVersions: strList(
      "APIVersions is the API versions the resources belong to. '*' is all versions. If '*' is present, the length of the slice must be one. Required.",
      ATOMIC,
    ),
    operations: strList(
      "Operations is the operations the admission hook cares about - CREATE, UPDATE, DELETE, CONNECT or * for all of those operations and any future admission operations that are added. If '*' is present, the length of the slice must be one. Required.",
      ATOMIC,
    ),
  };
}

/** `MatchCondition` (a CEL expression deciding whether a request is judged). */
export const MATCH_CONDITION: Schema = named(
  `${AR}.MatchCondition`,
  object(
    "MatchCondition represents a condition which must by fulfilled for a request to be sent to a webhook.",
    {
      expression: str(
        "Expression represents the expression which will be evaluated by CEL. Must evaluate to bool. CEL expressions have access to the contents of the AdmissionRequest and Authorizer, organized into CEL variables: 'object', 'oldObject', 'request', 'authorizer'. Required.",
        { default: "" },
      ),
      name: str(
        "Name is an identifier for this match condition, used for strategic merging of MatchConditions, as well as providing an identifier for logging purposes. Required.",
        { default: "" },
      ),
    },
    { required: ["name", "expression"] },
  ),
);
