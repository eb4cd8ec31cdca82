import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { aggregatedRules, sameRules } from "./aggregate.ts";
import { deepFreeze } from "../../internal/json.ts";
import {
  LabelSelectorError,
  labelSelectorMatcher,
  type LabelSelectorSpec,
} from "./label_selector.ts";

function role(
  name: string,
  labels: Record<string, string>,
  rules: Record<string, unknown>[],
  aggregationRule?: unknown,
): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name, labels },
    rules,
    ...(aggregationRule === undefined ? {} : { aggregationRule }),
  };
}

const get = (resource: string) => ({
  apiGroups: [""],
  resources: [resource],
  verbs: ["get"],
});

Deno.test("matchLabels and matchExpressions must all hold", () => {
  const m = labelSelectorMatcher({
    matchLabels: { team: "a" },
    matchExpressions: [
      { key: "tier", operator: "In", values: ["web", "api"] },
      { key: "canary", operator: "DoesNotExist" },
      { key: "zone", operator: "NotIn", values: ["x"] },
      { key: "owner", operator: "Exists" },
    ],
  });
  assert.equal(m({ team: "a", tier: "web", owner: "" }), true);
  assert.equal(m({ team: "a", tier: "web", owner: "", zone: "y" }), true);
  assert.equal(m({ team: "a", tier: "web", owner: "", zone: "x" }), false);
  assert.equal(m({ team: "a", tier: "db", owner: "" }), false);
  assert.equal(m({ team: "a", tier: "web", owner: "", canary: "1" }), false);
  assert.equal(m({ team: "a", tier: "web" }), false);
  assert.equal(m(undefined), false);
});

Deno.test("an empty selector selects everything and a missing one nothing", () => {
  assert.equal(labelSelectorMatcher({})(undefined), true);
  assert.equal(labelSelectorMatcher({ matchLabels: {} })({ a: "b" }), true);
  assert.equal(labelSelectorMatcher(null)({ a: "b" }), false);
});

Deno.test("malformed requirements are errors", () => {
  const bad: LabelSelectorSpec[] = [
    { matchExpressions: [{ key: "a", operator: "In", values: [] }] },
    { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
    { matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] },
  ];
  for (const s of bad) {
    assert.throws(() => labelSelectorMatcher(s), LabelSelectorError);
  }
});

Deno.test("rules are the union per selector, by role name, without duplicates or the role itself", () => {
  const agg = role("agg", { pick: "me" }, [get("stale")], {
    clusterRoleSelectors: [
      { matchLabels: { pick: "me" } },
      { matchLabels: { also: "me" } },
    ],
  });
  const roles = [
    agg,
    role("zeta", { pick: "me" }, [get("z"), get("shared")]),
    role("alpha", { pick: "me" }, [get("a"), get("shared")]),
    // Same rule, written with other key order and an explicit empty list.
    role("beta", { pick: "me" }, [{
      verbs: ["get"],
      resources: ["a"],
      apiGroups: [""],
      resourceNames: [],
    }]),
    role("aaa", { also: "me" }, [get("later"), get("z")]),
    role("other", {}, [get("never")]),
  ];
  assert.deepEqual(aggregatedRules(agg, roles), [
    get("a"),
    get("shared"),
    get("z"),
    get("later"),
  ]);
});

Deno.test("no selectors aggregate no rules", () => {
  const agg = role("agg", {}, [get("x")], { clusterRoleSelectors: [] });
  assert.deepEqual(aggregatedRules(agg, [agg, role("b", {}, [get("y")])]), []);
  assert.deepEqual(aggregatedRules(role("agg", {}, [], {}), []), []);
});

Deno.test("rules compare by content and order, missing lists equal to empty ones", () => {
  assert.equal(
    sameRules([get("a")], [{ ...get("a"), resourceNames: [] }]),
    true,
  );
  assert.equal(sameRules([get("a"), get("b")], [get("b"), get("a")]), false);
  assert.equal(sameRules([], []), true);
  assert.equal(sameRules([get("a")], []), false);
});

Deno.test("frozen (shared) rules and selectors aggregate as plain ones, every time", () => {
  const plain = [
    role("agg", {}, [], {
      clusterRoleSelectors: [{ matchLabels: { "aggregate-to-agg": "true" } }],
    }),
    role("b", { "aggregate-to-agg": "true" }, [get("pods"), get("secrets")]),
    role("a", { "aggregate-to-agg": "true" }, [get("pods"), get("nodes")]),
    role("c", {}, [get("configmaps")]),
  ];
  const frozen = deepFreeze(structuredClone(plain));
  const want = aggregatedRules(plain[0], plain);
  assert.deepEqual(want, [get("pods"), get("nodes"), get("secrets")]);
  // Twice: the second pass reads what the first kept of the frozen values.
  for (let i = 0; i < 2; i++) {
    const got = aggregatedRules(frozen[0], frozen);
    assert.deepEqual(got, want);
    assert.equal(sameRules(got, want), true);
    assert.equal(sameRules(got, [get("pods"), get("secrets")]), false);
  }
});
