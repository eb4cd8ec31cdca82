/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: CEL rules that
 * accept or refuse writes (evaluated by `admission/policy/`), cluster-scoped,
 * with a `status` the plugin fills (type checking, observed generation).
 *
 * @module
 */

import { PolicyCel } from "../admission/policy/cel.ts";
import {
  defaultPolicy,
  validatePolicy,
} from "../admission/policy/validation.ts";
import {
  ADMISSION_GROUP,
  POLICIES,
  type PolicySpec,
} from "../admission/policy/types.ts";
import { ageColumn, fields, nameColumn } from "./_columns.ts";
import { statusSubresource } from "./_subresources.ts";
import type { ResourceDefinition } from "./types.ts";
import {
  VALIDATING_ADMISSION_POLICY,
  VALIDATING_ADMISSION_POLICY_LIST,
} from "../schema/admissionregistration_v1_policies.ts";

// Compiles expressions only (write-time checks); evaluation has its own.
const compiler = new PolicyCel();

function spec(obj: unknown): PolicySpec {
  const s = fields(obj as never).spec;
  return typeof s === "object" && s !== null ? s as PolicySpec : {};
}

/** The `validatingadmissionpolicies` resource. */
export const validatingAdmissionPolicies: ResourceDefinition = {
  group: ADMISSION_GROUP,
  version: "v1",
  kind: "ValidatingAdmissionPolicy",
  schema: VALIDATING_ADMISSION_POLICY,
  listSchema: VALIDATING_ADMISSION_POLICY_LIST,
  plural: POLICIES,
  singular: "validatingadmissionpolicy",
  categories: ["api-extensions"],
  namespaced: false,
  hasGeneration: true,
  default: defaultPolicy,
  prepareForCreate: defaultPolicy,
  prepareForUpdate: (next) => defaultPolicy(next),
  validate: (obj) => validatePolicy(obj, compiler),
  subresources: { status: statusSubresource },
  columns: [
    nameColumn,
    {
      name: "Validations",
      type: "integer",
      description:
        "Validations indicates the number of validation rules defined in this configuration",
      cell: (obj) =>
        Array.isArray(spec(obj).validations)
          ? spec(obj).validations!.length
          : 0,
    },
    {
      name: "ParamKind",
      type: "string",
      description:
        "ParamKind specifies the kind of resources used to parameterize this policy",
      cell: (obj) => {
        const pk = spec(obj).paramKind;
        return pk ? `${pk.apiVersion ?? ""}/${pk.kind ?? ""}` : "<unset>";
      },
    },
    ageColumn,
  ],
};
