/**
 * The `clusterrole-aggregation` controller: keeps the `rules` of every
 * ClusterRole with an `aggregationRule` equal to the union of the rules of
 * the ClusterRoles it selects, in every cluster.
 *
 * @module
 */

export {
  aggregatedRules,
  type AggregationRule,
  aggregationRuleOf,
  type PolicyRule,
  rulesOf,
  sameRules,
} from "./aggregate.ts";
export {
  CLUSTER_ROLES,
  CLUSTERROLE_AGGREGATION,
  clusterRoleAggregationController,
  FIELD_MANAGER,
  runClusterRoleAggregationController,
} from "./clusterrole_aggregation_controller.ts";
export {
  type LabelMatcher,
  LabelSelectorError,
  labelSelectorMatcher,
  type LabelSelectorRequirement,
  type LabelSelectorSpec,
} from "./label_selector.ts";
