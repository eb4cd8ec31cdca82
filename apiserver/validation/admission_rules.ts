/**
 * The write-time checks that admission policies (`admission/policy/`) and
 * webhook configurations (`resources/_webhook_rules.ts`) share, with
 * upstream's field paths and wording: a rule with operations
 * (`validateRuleWithOperations`), the `values` of a label selector
 * requirement, and the `matchPolicy` values.
 *
 * It lives in `validation/` because both callers may import it: a resource
 * definition must not import `admission/`. Each caller reads its own input
 * (how a malformed list or selector is read differs between them) and hands
 * the lists in.
 *
 * @module
 */

import {
  type FieldError,
  forbidden,
  invalid,
  notSupported,
  required,
} from "./field_error.ts";

/** `matchPolicy` values. */
export const MATCH_POLICIES: readonly string[] = ["Equivalent", "Exact"];
/** Rule `operations`, sorted as upstream lists them in messages. */
export const RULE_OPERATIONS: readonly string[] = [
  "*",
  "CONNECT",
  "CREATE",
  "DELETE",
  "UPDATE",
];
/** Rule `scope` values. */
export const RULE_SCOPES: readonly string[] = ["*", "Cluster", "Namespaced"];

/** A rule's fields as the caller read them. */
export interface RuleLists {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: unknown;
}

/**
 * Upstream's `validateRuleWithOperations`: operations, API groups and
 * versions, resources with subresource wildcards, scope.
 *
 * @example
 * ```ts ignore
 * validateRuleWithOperations(
 *   { operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"],
 *     resources: ["pods"], scope: "*" },
 *   "webhooks[0].rules[0]",
 * ); // []
 * ```
 */
export function validateRuleWithOperations(
  rule: RuleLists,
  path: string,
): FieldError[] {
  const errs: FieldError[] = [];
  const ops = rule.operations;
  if (ops.length === 0) errs.push(required(`${path}.operations`));
  if (ops.length > 1 && ops.includes("*")) {
    errs.push(
      invalid(
        `${path}.operations`,
        ops,
        "if '*' is present, must not specify other operations",
      ),
    );
  }
  ops.forEach((op, i) => {
    if (!RULE_OPERATIONS.includes(op)) {
      errs.push(notSupported(`${path}.operations[${i}]`, op, RULE_OPERATIONS));
    }
  });
  const groups = rule.apiGroups;
  if (groups.length === 0) errs.push(required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes("*")) {
    errs.push(
      invalid(
        `${path}.apiGroups`,
        groups,
        "if '*' is present, must not specify other API groups",
      ),
    );
  }
  const versions = rule.apiVersions;
  if (versions.length === 0) errs.push(required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes("*")) {
    errs.push(
      invalid(
        `${path}.apiVersions`,
        versions,
        "if '*' is present, must not specify other API versions",
      ),
    );
  }
  versions.forEach((v, i) => {
    if (v === "") errs.push(required(`${path}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(rule.resources, `${path}.resources`));
  const scope = rule.scope;
  if (
    scope !== undefined && scope !== null &&
    !RULE_SCOPES.includes(scope as string)
  ) {
    errs.push(notSupported(`${path}.scope`, scope, RULE_SCOPES));
  }
  return errs;
}

/** Upstream's `validateResources`: resources with subresource wildcards. */
function validateResources(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(path));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === "") return errs.push(required(`${path}[${i}]`));
    if (resSub === "*/*") doubleWildcard = true;
    if (resSub === "*") singleWildcard = true;
    const slash = resSub.indexOf("/");
    if (slash < 0) {
      withoutSub = resSub !== "*";
      return;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (withWildcardSub.has(res)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          resSub,
          `if '${res}/*' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (subWithWildcardRes.has(sub)) {
      errs.push(
        invalid(
          `${path}[${i}]`,
          resSub,
          `if '*/${sub}' is present, must not specify ${resSub}`,
        ),
      );
    }
    if (sub === "*") withWildcardSub.add(res);
    if (res === "*") subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) {
    errs.push(
      invalid(
        path,
        resources,
        "if '*/*' is present, must not specify other resources",
      ),
    );
  }
  if (singleWildcard && withoutSub) {
    errs.push(
      invalid(
        path,
        resources,
        "if '*' is present, must not specify other resources without subresources",
      ),
    );
  }
  return errs;
}

/**
 * The `values` rule of a label selector requirement at `path` for its
 * operator (upstream's `ValidateLabelSelectorRequirement`), or `undefined`
 * when the operator is none of `In`, `NotIn`, `Exists`, `DoesNotExist` (the
 * caller reports that).
 */
export function requirementValuesErrors(
  operator: unknown,
  values: readonly unknown[],
  path: string,
): FieldError[] | undefined {
  switch (operator) {
    case "In":
    case "NotIn":
      return values.length === 0
        ? [
          required(
            `${path}.values`,
            "must be specified when `operator` is 'In' or 'NotIn'",
          ),
        ]
        : [];
    case "Exists":
    case "DoesNotExist":
      return values.length > 0
        ? [
          forbidden(
            `${path}.values`,
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        ]
        : [];
    default:
      return undefined;
  }
}
