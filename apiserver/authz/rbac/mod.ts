/**
 * RBAC (rbac.authorization.k8s.io/v1) for hyperplane, per virtual cluster:
 * the authorizer, the policy sources it reads, the escalation checks for
 * writes of RBAC objects, ClusterRole aggregation and the bootstrap policy.
 * A self-contained library; the server wires it into the request chain.
 *
 * @example
 * ```ts
 * const policy = new StoreBackedPolicy({ stores, signal });
 * await policy.start();
 * const rbac = new RbacAuthorizer(policy);
 * await reconcileBootstrapPolicy({ stores, cluster: "root" });
 * const decision = await rbac.authorize(attrs);
 * ```
 *
 * @module
 */

export {
  type AggregationRule,
  AUTOUPDATE_ANNOTATION,
  type BindingObject,
  BOOTSTRAPPING_LABEL,
  BOOTSTRAPPING_VALUE,
  type ClusterRoleObject,
  type LabelSelectorRequirement,
  type PolicyRule,
  RBAC_API_VERSION,
  RBAC_GROUP,
  RBAC_RESOURCES,
  type RbacResource,
  type RoleObject,
  type RoleRef,
  type StructuredLabelSelector,
  type Subject,
} from "./types.ts";
export {
  apiGroupMatches,
  nonResourceURLMatches,
  resourceMatches,
  resourceNameMatches,
  ruleAllows,
  rulesAllow,
  subjectMatches,
  verbMatches,
  WILDCARD,
} from "./rules.ts";
export {
  breakdownRule,
  compactRules,
  compactString,
  covers,
  ruleCovers,
} from "./covers.ts";
export {
  aggregateAll,
  aggregateRules,
  structuredSelectorMatches,
} from "./aggregation.ts";
export {
  type BindingEntry,
  ClusterPolicy,
  type RbacPolicySource,
  resourceOfKind,
  StaticPolicy,
} from "./policy_index.ts";
export {
  StoreBackedPolicy,
  type StoreBackedPolicyOptions,
} from "./store_policy.ts";
export {
  describeSource,
  RbacAuthorizer,
  type RoleRefRules,
  type RuleSource,
  type RuleVisitor,
} from "./authorizer.ts";
export {
  bindingAuthorized,
  checkRbacWrite,
  confirmNoEscalation,
  escalationAllowed,
  type EscalationChecker,
  type EscalationResult,
  isOnlyMutatingGCFields,
  type RbacWrite,
  type RbacWriteDenial,
  roleEscalationAuthorized,
  type RuleResolver,
} from "./escalation.ts";
export {
  AGGREGATE_TO_ADMIN,
  AGGREGATE_TO_EDIT,
  AGGREGATE_TO_VIEW,
  type BootstrapPolicy,
  bootstrapPolicy,
  CONTROLLER_PREFIX,
  CONTROLLERS,
  READ,
  READ_WRITE,
} from "./bootstrap_policy.ts";
export {
  reconcileBootstrapPolicy,
  type ReconcileOptions,
  type ReconcileResult,
} from "./reconcile.ts";
