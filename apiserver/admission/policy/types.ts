/**
 * The `admissionregistration.k8s.io/v1` policy kinds as plain JSON shapes:
 * what the stored ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding
 * objects hold (after defaulting), as the plugin reads them.
 *
 * @module
 */

import type { KubeObject } from "../../../storage/mod.ts";

/** The API group of the policy kinds. */
export const ADMISSION_GROUP = "admissionregistration.k8s.io";
/** The policy resource (plural). */
export const POLICIES = "validatingadmissionpolicies";
/** The binding resource (plural). */
export const BINDINGS = "validatingadmissionpolicybindings";

/** A structured label selector (`metav1.LabelSelector`). */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: string;
    values?: string[];
  }[];
}

/** `NamedRuleWithOperations`. */
export interface NamedRule {
  resourceNames?: string[];
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  /** `Cluster`, `Namespaced` or `*` (the default). */
  scope?: string;
}

/** `MatchResources`. */
export interface MatchResources {
  namespaceSelector?: LabelSelectorSpec;
  objectSelector?: LabelSelectorSpec;
  resourceRules?: NamedRule[];
  excludeResourceRules?: NamedRule[];
  /** `Exact` or `Equivalent` (the default). */
  matchPolicy?: string;
}

/** One `validations` entry. */
export interface Validation {
  expression: string;
  message?: string;
  /** `Unauthorized`, `Forbidden`, `Invalid`, `RequestEntityTooLarge`. */
  reason?: string;
  messageExpression?: string;
}

/** `ValidatingAdmissionPolicySpec`. */
export interface PolicySpec {
  paramKind?: { apiVersion?: string; kind?: string };
  matchConstraints?: MatchResources;
  validations?: Validation[];
  /** `Fail` (the default) or `Ignore`. */
  failurePolicy?: string;
  auditAnnotations?: { key: string; valueExpression: string }[];
  matchConditions?: { name: string; expression: string }[];
  variables?: { name: string; expression: string }[];
}

/** `ParamRef`. */
export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelectorSpec;
  /** `Allow` or `Deny`. */
  parameterNotFoundAction?: string;
}

/** `ValidatingAdmissionPolicyBindingSpec`. */
export interface BindingSpec {
  policyName?: string;
  paramRef?: ParamRef;
  matchResources?: MatchResources;
  /** `Deny`, `Warn`, `Audit`. */
  validationActions?: string[];
}

/** A stored ValidatingAdmissionPolicy. */
export type PolicyObject = KubeObject & {
  spec?: PolicySpec;
  status?: Record<string, unknown>;
};

/** A stored ValidatingAdmissionPolicyBinding. */
export type BindingObject = KubeObject & { spec?: BindingSpec };
