/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: puts a
 * ValidatingAdmissionPolicy in force (what it matches, its params, Deny /
 * Warn / Audit); cluster-scoped.
 *
 * @module
 */

import {
  defaultBinding,
  validateBinding,
} from "../admission/policy/validation.ts";
import {
  ADMISSION_GROUP,
  BINDINGS,
  type BindingSpec,
  type LabelSelectorSpec,
} from "../admission/policy/types.ts";
import { ageColumn, fields, nameColumn } from "./_columns.ts";
import type { ResourceDefinition } from "./types.ts";
import {
  VALIDATING_ADMISSION_POLICY_BINDING,
  VALIDATING_ADMISSION_POLICY_BINDING_LIST,
} from "../schema/admissionregistration_v1_policies.ts";

function spec(obj: unknown): BindingSpec {
  const s = fields(obj as never).spec;
  return typeof s === "object" && s !== null ? s as BindingSpec : {};
}

/** A structured selector as upstream's `LabelSelector.String()` prints it. */
export function selectorString(sel: LabelSelectorSpec): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    parts.push(`${k}=${v}`);
  }
  for (const r of sel.matchExpressions ?? []) {
    const values = [...(r.values ?? [])].sort().join(",");
    switch (r.operator) {
      case "In":
        parts.push(`${r.key} in (${values})`);
        break;
      case "NotIn":
        parts.push(`${r.key} notin (${values})`);
        break;
      case "Exists":
        parts.push(r.key);
        break;
      case "DoesNotExist":
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length ? parts.sort().join(",") : "<none>";
}

/** The `validatingadmissionpolicybindings` resource. */
export const validatingAdmissionPolicyBindings: ResourceDefinition = {
  group: ADMISSION_GROUP,
  version: "v1",
  kind: "ValidatingAdmissionPolicyBinding",
  schema: VALIDATING_ADMISSION_POLICY_BINDING,
  listSchema: VALIDATING_ADMISSION_POLICY_BINDING_LIST,
  plural: BINDINGS,
  singular: "validatingadmissionpolicybinding",
  categories: ["api-extensions"],
  namespaced: false,
  hasGeneration: true,
  default: defaultBinding,
  prepareForCreate: defaultBinding,
  prepareForUpdate: (next) => defaultBinding(next),
  validate: validateBinding,
  columns: [
    nameColumn,
    {
      name: "PolicyName",
      type: "string",
      description:
        "PolicyName indicates the policy definition which the policy binding binded to",
      cell: (obj) => spec(obj).policyName ?? "",
    },
    {
      name: "ParamRef",
      type: "string",
      description:
        "ParamRef indicates the param resource which sets the configration param",
      cell: (obj) => {
        const pr = spec(obj).paramRef;
        if (!pr) return "<unset>";
        if (pr.name) {
          return pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
        }
        return pr.selector ? selectorString(pr.selector) : "<unset>";
      },
    },
    ageColumn,
  ],
};
