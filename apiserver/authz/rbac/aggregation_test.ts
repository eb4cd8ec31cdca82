import assert from "node:assert/strict";
import {
  aggregateAll,
  aggregateRules,
  aggregationSources,
  sourcesFirst,
  structuredSelectorMatches,
} from "./aggregation.ts";
import { bootstrapPolicy } from "./bootstrap_policy.ts";
import { clusterRole, rule } from "../../../tests/support/rbac_objects.ts";
import type { ClusterRoleObject, StructuredLabelSelector } from "./types.ts";

const labels = { tier: "web", team: "a" };

const selectorCases: [string, StructuredLabelSelector, boolean][] = [
  ["an empty selector matches everything", {}, true],
  ["matchLabels match equal values", { matchLabels: { tier: "web" } }, true],
  ["matchLabels refuse other values", { matchLabels: { tier: "db" } }, false],
  ["matchLabels refuse missing keys", { matchLabels: { zone: "x" } }, false],
  [
    "In matches a listed value",
    {
      matchExpressions: [{
        key: "tier",
        operator: "In",
        values: ["db", "web"],
      }],
    },
    true,
  ],
  [
    "NotIn refuses a listed value",
    { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] },
    false,
  ],
  [
    "NotIn matches a missing key",
    { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["x"] }] },
    true,
  ],
  ["Exists matches a present key", {
    matchExpressions: [{ key: "team", operator: "Exists" }],
  }, true],
  [
    "DoesNotExist refuses a present key",
    { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] },
    false,
  ],
  [
    "matchLabels and matchExpressions are ANDed",
    {
      matchLabels: { tier: "web" },
      matchExpressions: [{ key: "team", operator: "In", values: ["b"] }],
    },
    false,
  ],
  [
    "an unknown operator matches nothing",
    { matchExpressions: [{ key: "tier", operator: "Like", values: ["web"] }] },
    false,
  ],
];

Deno.test("structured label selectors match as upstream's", async (t) => {
  for (const [name, sel, want] of selectorCases) {
    await t.step(
      name,
      () => assert.equal(structuredSelectorMatches(sel, labels), want),
    );
  }
});

function aggregated(name: string, ...keys: string[]): ClusterRoleObject {
  return {
    ...clusterRole(name, []),
    aggregationRule: {
      clusterRoleSelectors: keys.map((k) => ({ matchLabels: { [k]: "true" } })),
    },
  };
}

Deno.test("aggregateRules gathers labelled roles' rules", async (t) => {
  const r1 = rule(["get"], [""], ["configmaps"]);
  const r2 = rule(["list"], [""], ["configmaps"]);
  const r3 = rule(["get"], [""], ["secrets"]);
  const roles = [
    clusterRole("b-role", [r2, r1], { "agg-x": "true" }),
    clusterRole("a-role", [r1], { "agg-x": "true" }),
    clusterRole("c-role", [r3], { "agg-y": "true" }),
    clusterRole("unlabelled", [rule(["*"], ["*"], ["*"])]),
  ];
  await t.step("rules come by role name, each once", () => {
    assert.deepEqual(aggregateRules(aggregated("x", "agg-x"), roles), [r1, r2]);
  });
  await t.step("selectors are visited in order", () => {
    assert.deepEqual(
      aggregateRules(aggregated("xy", "agg-y", "agg-x"), roles),
      [r3, r1, r2],
    );
  });
  await t.step("a role never aggregates itself", () => {
    const self = {
      ...aggregated("self", "agg-x"),
      metadata: { name: "self", labels: { "agg-x": "true" } },
      rules: [r3],
    };
    assert.deepEqual(aggregateRules(self, [...roles, self]), [r1, r2]);
  });
  await t.step("a role without an aggregationRule aggregates nothing", () => {
    assert.equal(aggregateRules(roles[0], roles), undefined);
  });
  await t.step("nested aggregation reaches a fixed point", () => {
    const outer = { ...aggregated("outer", "agg-outer") };
    const inner = {
      ...aggregated("inner", "agg-x"),
      metadata: { name: "inner", labels: { "agg-outer": "true" } },
    };
    const out = aggregateAll([outer, inner, ...roles]);
    assert.deepEqual(out.find((r) => r.metadata.name === "outer")?.rules, [
      r1,
      r2,
    ]);
    assert.deepEqual(outer.rules, [], "the input is not changed");
  });
});

Deno.test("sourcesFirst puts every aggregated role after its sources", async (t) => {
  const names = (roles: ClusterRoleObject[]) =>
    roles.map((r) => r.metadata.name);
  await t.step("nested: outer after inner after the labelled roles", () => {
    const outer = aggregated("outer", "agg-outer");
    const inner = {
      ...aggregated("inner", "agg-x"),
      metadata: { name: "inner", labels: { "agg-outer": "true" } },
    };
    const a = clusterRole("a", [], { "agg-x": "true" });
    const plain = clusterRole("plain", []);
    assert.deepEqual(names(sourcesFirst([outer, inner, a, plain])), [
      "a",
      "plain",
      "inner",
      "outer",
    ]);
    assert.deepEqual(names(aggregationSources(outer, [outer, inner, a])), [
      "inner",
    ]);
  });
  await t.step("a cycle keeps its order, after everything else", () => {
    const x = {
      ...aggregated("x", "agg-y"),
      metadata: { name: "x", labels: { "agg-x": "true" } },
    };
    const y = {
      ...aggregated("y", "agg-x"),
      metadata: { name: "y", labels: { "agg-y": "true" } },
    };
    const plain = clusterRole("plain", []);
    assert.deepEqual(names(sourcesFirst([x, y, plain])), ["plain", "x", "y"]);
  });
  await t.step("the bootstrap policy: view, then edit, then admin", () => {
    const roles = sourcesFirst(bootstrapPolicy().clusterRoles);
    const at = (name: string) =>
      roles.findIndex((r) => r.metadata.name === name);
    for (const role of roles) {
      for (const source of aggregationSources(role, roles)) {
        assert.ok(
          at(source.metadata.name!) < at(role.metadata.name!),
          `${source.metadata.name} before ${role.metadata.name}`,
        );
      }
    }
    assert.ok(at("view") < at("edit") && at("edit") < at("admin"));
  });
});
