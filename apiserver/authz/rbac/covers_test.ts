import assert from "node:assert/strict";
import { compactRules, compactString, covers } from "./covers.ts";
import type { PolicyRule } from "./types.ts";

const r = (
  verbs: string[],
  apiGroups: string[],
  resources: string[],
  resourceNames?: string[],
): PolicyRule =>
  resourceNames
    ? { verbs, apiGroups, resources, resourceNames }
    : { verbs, apiGroups, resources };
const u = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({
  verbs,
  nonResourceURLs,
});

const cases: [string, PolicyRule[], PolicyRule[], PolicyRule[]][] = [
  [
    "the same rule is covered",
    [r(["get"], [""], ["configmaps"])],
    [r(["get"], [""], ["configmaps"])],
    [],
  ],
  [
    "a subset of verbs is covered",
    [r(["get", "list", "watch"], [""], ["configmaps"])],
    [r(["get", "list"], [""], ["configmaps"])],
    [],
  ],
  [
    "a verb not held is uncovered, broken down",
    [r(["get"], [""], ["configmaps"])],
    [r(["get", "delete"], [""], ["configmaps"])],
    [r(["delete"], [""], ["configmaps"])],
  ],
  [
    "verb * covers every verb",
    [r(["*"], [""], ["configmaps"])],
    [r(["escalate", "bind"], [""], ["configmaps"])],
    [],
  ],
  [
    "group * covers every group",
    [r(["get"], ["*"], ["leases"])],
    [r(["get"], ["coordination.k8s.io", "x.io"], ["leases"])],
    [],
  ],
  [
    "resource * covers every resource and subresource",
    [r(["get"], [""], ["*"])],
    [r(["get"], [""], ["secrets", "namespaces/status"])],
    [],
  ],
  [
    "*/scale covers any scale subresource",
    [r(["get"], ["apps"], ["*/scale"])],
    [r(["get"], ["apps"], ["deployments/scale", "replicasets/scale"])],
    [],
  ],
  [
    "*/scale does not cover the resource itself",
    [r(["get"], ["apps"], ["*/scale"])],
    [r(["get"], ["apps"], ["deployments"])],
    [r(["get"], ["apps"], ["deployments"])],
  ],
  [
    "a resource does not cover its subresources",
    [r(["update"], [""], ["namespaces"])],
    [r(["update"], [""], ["namespaces/finalize"])],
    [r(["update"], [""], ["namespaces/finalize"])],
  ],
  [
    "no resourceNames covers any resourceNames",
    [r(["get"], [""], ["secrets"])],
    [r(["get"], [""], ["secrets"], ["a", "b"])],
    [],
  ],
  [
    "resourceNames cover the same names",
    [r(["get"], [""], ["secrets"], ["a", "b"])],
    [r(["get"], [""], ["secrets"], ["b"])],
    [],
  ],
  [
    "resourceNames do not cover another name",
    [r(["get"], [""], ["secrets"], ["a"])],
    [r(["get"], [""], ["secrets"], ["a", "c"])],
    [r(["get"], [""], ["secrets"], ["c"])],
  ],
  [
    "resourceNames do not cover all names",
    [r(["get"], [""], ["secrets"], ["a"])],
    [r(["get"], [""], ["secrets"])],
    [r(["get"], [""], ["secrets"])],
  ],
  [
    "rules of several owners together cover a rule",
    [r(["get"], [""], ["configmaps"]), r(["list"], [""], ["configmaps"])],
    [r(["get", "list"], [""], ["configmaps"])],
    [],
  ],
  [
    "a non-resource URL is covered exactly",
    [u(["get"], ["/healthz"])],
    [u(["get"], ["/healthz"])],
    [],
  ],
  [
    "a non-resource URL prefix covers longer paths",
    [u(["get"], ["/healthz/*"])],
    [u(["get"], ["/healthz/etcd", "/healthz/ping"])],
    [],
  ],
  [
    "a non-resource URL * covers every path",
    [u(["*"], ["*"])],
    [u(["get", "post"], ["/metrics"])],
    [],
  ],
  [
    "a non-resource path not held is uncovered",
    [u(["get"], ["/healthz"])],
    [u(["get"], ["/metrics"])],
    [u(["get"], ["/metrics"])],
  ],
  [
    "a resource owner rule does not cover a non-resource rule",
    [r(["*"], ["*"], ["*"])],
    [u(["get"], ["/metrics"])],
    [u(["get"], ["/metrics"])],
  ],
  [
    "cluster-admin's rules cover everything",
    [r(["*"], ["*"], ["*"]), u(["*"], ["*"])],
    [r(["*"], ["*"], ["*"]), u(["*"], ["*"]), r(["get"], [""], ["x"], ["y"])],
    [],
  ],
  [
    "nothing covers a wildcard except a wildcard",
    [r(["get", "list", "watch", "create"], [""], ["configmaps"])],
    [r(["*"], [""], ["configmaps"])],
    [r(["*"], [""], ["configmaps"])],
  ],
];

Deno.test("covers finds the uncovered rules as upstream's Covers", async (t) => {
  for (const [name, owner, servant, uncovered] of cases) {
    await t.step(
      name,
      () => assert.deepEqual(covers(owner, servant), uncovered),
    );
  }
});

Deno.test("uncovered rules are compacted and printed as upstream", () => {
  const missing = covers([], [r(["get", "list"], [""], ["secrets"])]);
  const compact = compactRules(missing);
  assert.deepEqual(compact, [r(["get", "list"], [""], ["secrets"])]);
  assert.equal(
    compactString(compact[0]),
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
  );
  assert.equal(
    compactString({ verbs: ["get"], nonResourceURLs: ["/metrics"] }),
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  );
  assert.equal(
    compactString(r(["get"], [""], ["secrets"], ["a"])),
    '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}',
  );
});
