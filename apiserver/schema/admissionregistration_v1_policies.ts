/**
 * admissionregistration.k8s.io/v1 (`io.k8s.api.admissionregistration.v1.*`):
 * ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding, with
 * upstream's names, list types and descriptions (shortened where upstream's
 * run to pages).
 *
 * @module
 */

import { int64, listOf, object, str, strList } from "./_builders.ts";
import { named, ref } from "./_named.ts";
import {
  AR,
  ATOMIC,
  BY_NAME,
  MATCH_CONDITION,
  ruleLists,
} from "./_admissionregistration_v1.ts";
import {
  CONDITION,
  kindSchema,
  LABEL_SELECTOR,
  listSchema,
} from "./meta_v1.ts";
import type { Schema } from "./types.ts";

const ATOMIC_MAP: Schema = { "x-kubernetes-map-type": "atomic" };

const PARAM_KIND: Schema = named(
  `${AR}.ParamKind`,
  object(
    "ParamKind is a tuple of Group Kind and Version.",
    {
      apiVersion: str(
        'APIVersion is the API group version the resources belong to. In format of "group/version". Required.',
      ),
      kind: str("Kind is the API kind the resources belong to. Required."),
    },
    ATOMIC_MAP,
  ),
);

const NAMED_RULE_WITH_OPERATIONS: Schema = named(
  `${AR}.NamedRuleWithOperations`,
  object(
    "NamedRuleWithOperations is a tuple of Operations and Resources with ResourceNames.",
    {
      ...ruleLists(),
      resourceNames: strList(
        "ResourceNames is an optional white list of names that the rule applies to.  An empty set means that everything is allowed.",
        ATOMIC,
      ),
      resources: strList(
        "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.",
        ATOMIC,
      ),
      scope: str(
        'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".',
      ),
    },
    ATOMIC_MAP,
  ),
);

const MATCH_RESOURCES: Schema = named(
  `${AR}.MatchResources`,
  object(
    "MatchResources decides whether to run the admission control policy on an object based on whether it meets the match criteria. The exclude rules take precedence over include rules (if a resource matches both, it is excluded)",
    {
      excludeResourceRules: listOf(
        "ExcludeResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy should not care about. The exclude rules take precedence over include rules (if a resource matches both, it is excluded)",
        ref(NAMED_RULE_WITH_OPERATIONS),
        ATOMIC,
      ),
      matchPolicy: str(
        'matchPolicy defines how the "MatchResources" list is used to match incoming requests. Allowed values are "Exact" or "Equivalent".\n\n- Exact: match a request only if it exactly matches a specified rule.\n\n- Equivalent: match a request if modifies a resource listed in rules, even via another API group or version.\n\nDefaults to "Equivalent"',
      ),
      namespaceSelector: ref(
        LABEL_SELECTOR,
        "NamespaceSelector decides whether to run the admission control policy on an object based on whether the namespace for that object matches the selector. If the object itself is a namespace, the matching is performed on object.metadata.labels. If the object is another cluster scoped resource, it never skips the policy.\n\nDefault to the empty LabelSelector, which matches everything.",
      ),
      objectSelector: ref(
        LABEL_SELECTOR,
        "ObjectSelector decides whether to run the validation based on if the object has matching labels. objectSelector is evaluated against both the oldObject and newObject that would be sent to the cel validation, and is considered to match if either object matches the selector. Default to the empty LabelSelector, which matches everything.",
      ),
      resourceRules: listOf(
        "ResourceRules describes what operations on what resources/subresources the ValidatingAdmissionPolicy matches. The policy cares about an operation if it matches _any_ Rule.",
        ref(NAMED_RULE_WITH_OPERATIONS),
        ATOMIC,
      ),
    },
    ATOMIC_MAP,
  ),
);

const VALIDATION: Schema = named(
  `${AR}.Validation`,
  object(
    "Validation specifies the CEL expression which is used to apply the validation.",
    {
      expression: str(
        "Expression represents the expression which will be evaluated by CEL. CEL expressions have access to the contents of the API request/response, organized into CEL variables: 'object', 'oldObject', 'request', 'params', 'namespaceObject', 'authorizer', 'variables'. Required.",
        { default: "" },
      ),
      message: str(
        'Message represents the message displayed when validation fails. The message is required if the Expression contains line breaks. The message must not contain line breaks. If unset, the message is "failed rule: {Rule}".',
      ),
      messageExpression: str(
        "messageExpression declares a CEL expression that evaluates to the validation failure message that is returned when this rule fails. Since messageExpression is used as a failure message, it must evaluate to a string. If both message and messageExpression are present on a validation, then messageExpression will be used if validation fails.",
      ),
      reason: str(
        'Reason represents a machine-readable description of why this validation failed. The currently supported reasons are: "Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge". If not set, StatusReasonInvalid is used in the response to the client.',
      ),
    },
    { required: ["expression"] },
  ),
);

const AUDIT_ANNOTATION: Schema = named(
  `${AR}.AuditAnnotation`,
  object(
    "AuditAnnotation describes how to produce an audit annotation for an API request.",
    {
      key: str(
        'key specifies the audit annotation key. The audit annotation keys of a ValidatingAdmissionPolicy must be unique. The key must be a qualified name ([A-Za-z0-9][-A-Za-z0-9_.]*) no more than 63 bytes in length.\n\nThe key is combined with the resource name of the ValidatingAdmissionPolicy to construct an audit annotation key: "{ValidatingAdmissionPolicy name}/{key}".\n\nRequired.',
        { default: "" },
      ),
      valueExpression: str(
        "valueExpression represents the expression which is evaluated by CEL to produce an audit annotation value. The expression must evaluate to either a string or null value. If the expression evaluates to a string, the audit annotation is included with the string value. If the expression evaluates to null or empty string the audit annotation will be omitted. The valueExpression may be no longer than 5kb in length.\n\nRequired.",
        { default: "" },
      ),
    },
    { required: ["key", "valueExpression"] },
  ),
);

const VARIABLE: Schema = named(
  `${AR}.Variable`,
  object(
    "Variable is the definition of a variable that is used for composition. A variable is defined as a named expression.",
    {
      expression: str(
        "Expression is the expression that will be evaluated as the value of the variable. The CEL expression has access to the same identifiers as the CEL expressions in Validation.",
        { default: "" },
      ),
      name: str(
        'Name is the name of the variable. The name must be a valid CEL identifier and unique among all variables. The variable can be accessed in other expressions through `variables` For example, if name is "foo", the variable will be available as `variables.foo`',
        { default: "" },
      ),
    },
    { required: ["name", "expression"], ...ATOMIC_MAP },
  ),
);

const POLICY_SPEC: Schema = named(
  `${AR}.ValidatingAdmissionPolicySpec`,
  object(
    "ValidatingAdmissionPolicySpec is the specification of the desired behavior of the AdmissionPolicy.",
    {
      auditAnnotations: listOf(
        "auditAnnotations contains CEL expressions which are used to produce audit annotations for the audit event of the API request. validations and auditAnnotations may not both be empty; a least one of validations or auditAnnotations is required.",
        ref(AUDIT_ANNOTATION),
        ATOMIC,
      ),
      failurePolicy: str(
        "failurePolicy defines how to handle failures for the admission policy. Failures can occur from CEL expression parse errors, type check errors, runtime errors and invalid or mis-configured policy definitions or bindings.\n\nfailurePolicy does not define how validations that evaluate to false are handled.\n\nAllowed values are Ignore or Fail. Defaults to Fail.",
      ),
      matchConditions: listOf(
        "MatchConditions is a list of conditions that must be met for a request to be validated. Match conditions filter requests that have already been matched by the rules, namespaceSelector, and objectSelector. An empty list of matchConditions matches all requests. There are a maximum of 64 match conditions allowed.",
        ref(MATCH_CONDITION),
        BY_NAME,
      ),
      matchConstraints: ref(
        MATCH_RESOURCES,
        "MatchConstraints specifies what resources this policy is designed to validate. The AdmissionPolicy cares about a request if it matches _all_ Constraints. However, in order to prevent clusters from being put into an unstable state that cannot be recovered from via the API ValidatingAdmissionPolicy cannot match ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding. Required.",
      ),
      paramKind: ref(
        PARAM_KIND,
        "ParamKind specifies the kind of resources used to parameterize this policy. If absent, there are no parameters for this policy and the param CEL variable will not be provided to validation expressions. If ParamKind refers to a non-existent kind, this policy definition is mis-configured and the FailurePolicy is applied. If paramKind is specified but paramRef is unset in ValidatingAdmissionPolicyBinding, the params variable will be null.",
      ),
      validations: listOf(
        "Validations contain CEL expressions which is used to apply the validation. Validations and AuditAnnotations may not both be empty; a minimum of one Validations or AuditAnnotations is required.",
        ref(VALIDATION),
        ATOMIC,
      ),
      variables: listOf(
        "Variables contain definitions of variables that can be used in composition of other expressions. Each variable is defined as a named CEL expression. The variables defined here will be available under `variables` in other expressions of the policy except MatchConditions because MatchConditions are evaluated before the rest of the policy.",
        ref(VARIABLE),
        ATOMIC,
      ),
    },
  ),
);

const EXPRESSION_WARNING: Schema = named(
  `${AR}.ExpressionWarning`,
  object(
    "ExpressionWarning is a warning information that targets a specific expression.",
    {
      fieldRef: str(
        'The path to the field that refers the expression. For example, the reference to the expression of the first item of validations is "spec.validations[0].expression"',
        { default: "" },
      ),
      warning: str(
        "The content of type checking information in a human-readable form. Each line of the warning contains the type that the expression is checked against, followed by the type check error from the compiler.",
        { default: "" },
      ),
    },
    { required: ["fieldRef", "warning"] },
  ),
);

const TYPE_CHECKING: Schema = named(
  `${AR}.TypeChecking`,
  object(
    "TypeChecking contains results of type checking the expressions in the ValidatingAdmissionPolicy",
    {
      expressionWarnings: listOf(
        "The type checking warnings for each expression.",
        ref(EXPRESSION_WARNING),
        ATOMIC,
      ),
    },
  ),
);

const POLICY_STATUS: Schema = named(
  `${AR}.ValidatingAdmissionPolicyStatus`,
  object(
    "ValidatingAdmissionPolicyStatus represents the status of an admission validation policy.",
    {
      conditions: listOf(
        "The conditions represent the latest available observations of a policy's current state.",
        ref(CONDITION),
        {
          "x-kubernetes-list-type": "map",
          "x-kubernetes-list-map-keys": ["type"],
        },
      ),
      observedGeneration: int64("The generation observed by the controller."),
      typeChecking: ref(
        TYPE_CHECKING,
        "The results of type checking for each expression. Presence of this field indicates the completion of the type checking.",
      ),
    },
  ),
);

const PARAM_REF: Schema = named(
  `${AR}.ParamRef`,
  object(
    "ParamRef describes how to locate the params to be used as input to expressions of rules applied by a policy binding.",
    {
      name: str(
        "name is the name of the resource being referenced.\n\nOne of `name` or `selector` must be set, but `name` and `selector` are mutually exclusive properties. If one is set, the other must be unset.",
      ),
      namespace: str(
        "namespace is the namespace of the referenced resource. Allows limiting the search for params to a specific namespace. Applies to both `name` and `selector` fields.\n\nA per-namespace parameter may be used by specifying a namespace-scoped `paramKind` in the policy and leaving this field empty.",
      ),
      parameterNotFoundAction: str(
        "`parameterNotFoundAction` controls the behavior of the binding when the resource exists, and name or selector is valid, but there are no parameters matched by the binding. If the value is set to `Allow`, then no matched parameters will be treated as successful validation by the binding. If set to `Deny`, then no matched parameters will be subject to the `failurePolicy` of the policy.\n\nAllowed values are `Allow` or `Deny`\n\nRequired",
      ),
      selector: ref(
        LABEL_SELECTOR,
        "selector can be used to match multiple param objects based on their labels. Supply selector: {} to match all resources of the ParamKind.\n\nIf multiple params are found, they are all evaluated with the policy expressions and the results are ANDed together.\n\nOne of `name` or `selector` must be set, but `name` and `selector` are mutually exclusive properties. If one is set, the other must be unset.",
      ),
    },
    ATOMIC_MAP,
  ),
);

const BINDING_SPEC: Schema = named(
  `${AR}.ValidatingAdmissionPolicyBindingSpec`,
  object(
    "ValidatingAdmissionPolicyBindingSpec is the specification of the ValidatingAdmissionPolicyBinding.",
    {
      matchResources: ref(
        MATCH_RESOURCES,
        "MatchResources declares what resources match this binding and will be validated by it. Note that this is intersected with the policy's matchConstraints, so only requests that are matched by the policy can be selected by this. If this is unset, all resources matched by the policy are validated by this binding\n\nWhen resourceRules is unset, it does not constrain resource matching. If a resource is matched by the other fields of this object, it will be validated. Note that this is differs from ValidatingAdmissionPolicy matchConstraints, where resourceRules are required.",
      ),
      paramRef: ref(
        PARAM_REF,
        "paramRef specifies the parameter resource used to configure the admission control policy. It should point to a resource of the type specified in ParamKind of the bound ValidatingAdmissionPolicy. If the policy specifies a ParamKind and the resource referred to by ParamRef does not exist, this binding is considered mis-configured and the FailurePolicy of the ValidatingAdmissionPolicy applied. If the policy does not specify a ParamKind then this field is ignored, and the rules are evaluated without a param.",
      ),
      policyName: str(
        "PolicyName references a ValidatingAdmissionPolicy name which the ValidatingAdmissionPolicyBinding binds to. If the referenced resource does not exist, this binding is considered invalid and will be ignored Required.",
      ),
      validationActions: strList(
        'validationActions declares how Validations of the referenced ValidatingAdmissionPolicy are enforced. If a validation evaluates to false it is always enforced according to these actions.\n\nThe supported actions values are:\n\n"Deny" specifies that a validation failure results in a denied request.\n\n"Warn" specifies that a validation failure is reported to the request client in HTTP Warning headers, with a warning code of 299. Warnings can be sent both for allowed or denied admission responses.\n\n"Audit" specifies that a validation failure is included in the published audit event for the request.\n\nClients should expect to handle additional values by ignoring any values not recognized.\n\n"Deny" and "Warn" may not be used together since this combination needlessly duplicates the validation failure both in the API response body and the HTTP warning headers.\n\nRequired.',
        { "x-kubernetes-list-type": "set" },
      ),
    },
  ),
);

/** admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicy`. */
export const VALIDATING_ADMISSION_POLICY: Schema = kindSchema(
  `${AR}.ValidatingAdmissionPolicy`,
  "ValidatingAdmissionPolicy describes the definition of an admission validation policy that accepts or rejects an object without changing it.",
  {
    spec: ref(
      POLICY_SPEC,
      "Specification of the desired behavior of the ValidatingAdmissionPolicy.",
    ),
    status: ref(
      POLICY_STATUS,
      "The status of the ValidatingAdmissionPolicy, including warnings that are useful to determine if the policy behaves in the expected way. Populated by the system. Read-only.",
    ),
  },
);

/** admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicyList`. */
export const VALIDATING_ADMISSION_POLICY_LIST: Schema = listSchema(
  `${AR}.ValidatingAdmissionPolicyList`,
  VALIDATING_ADMISSION_POLICY,
  "List of ValidatingAdmissionPolicy.",
);

/** admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicyBinding`. */
export const VALIDATING_ADMISSION_POLICY_BINDING: Schema = kindSchema(
  `${AR}.ValidatingAdmissionPolicyBinding`,
  "ValidatingAdmissionPolicyBinding binds the ValidatingAdmissionPolicy with paramerized resources. ValidatingAdmissionPolicyBinding and parameter CRDs together define how cluster administrators configure policies for clusters.\n\nFor a given admission request, each binding will cause its policy to be evaluated N times, where N is 1 for policies/bindings that don't use params, otherwise N is the number of parameters selected by the binding.",
  {
    spec: ref(
      BINDING_SPEC,
      "Specification of the desired behavior of the ValidatingAdmissionPolicyBinding.",
    ),
  },
);

/** admissionregistration.k8s.io/v1 `ValidatingAdmissionPolicyBindingList`. */
export const VALIDATING_ADMISSION_POLICY_BINDING_LIST: Schema = listSchema(
  `${AR}.ValidatingAdmissionPolicyBindingList`,
  VALIDATING_ADMISSION_POLICY_BINDING,
  "List of PolicyBinding.",
);
