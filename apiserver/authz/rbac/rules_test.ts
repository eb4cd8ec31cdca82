import assert from "node:assert/strict";
import type { AuthorizationAttributes } from "../authorizer.ts";
import { ruleAllows, subjectMatches } from "./rules.ts";
import type { PolicyRule, Subject } from "./types.ts";

const alice = { username: "alice", groups: ["system:authenticated"] };

function res(
  verb: string,
  group: string,
  resource: string,
  extra: Partial<AuthorizationAttributes> = {},
): AuthorizationAttributes {
  return {
    user: alice,
    cluster: "root",
    verb,
    isResourceRequest: true,
    apiGroup: group,
    resource,
    namespace: "default",
    ...extra,
  };
}

function url(verb: string, path: string): AuthorizationAttributes {
  return { user: alice, cluster: "root", verb, isResourceRequest: false, path };
}

const cm: PolicyRule = {
  verbs: ["get"],
  apiGroups: [""],
  resources: ["configmaps"],
};

const cases: [string, PolicyRule, AuthorizationAttributes, boolean][] = [
  [
    "an exact verb, group and resource match",
    cm,
    res("get", "", "configmaps"),
    true,
  ],
  ["another verb does not match", cm, res("list", "", "configmaps"), false],
  ["another resource does not match", cm, res("get", "", "secrets"), false],
  ["another group does not match", cm, res("get", "apps", "configmaps"), false],
  [
    "the verb * matches every verb",
    { verbs: ["*"], apiGroups: [""], resources: ["configmaps"] },
    res("deletecollection", "", "configmaps"),
    true,
  ],
  [
    "the group * matches every group",
    { verbs: ["get"], apiGroups: ["*"], resources: ["leases"] },
    res("get", "coordination.k8s.io", "leases"),
    true,
  ],
  [
    "the resource * matches every resource",
    { verbs: ["get"], apiGroups: [""], resources: ["*"] },
    res("get", "", "secrets"),
    true,
  ],
  [
    "the resource * matches subresources too",
    { verbs: ["get"], apiGroups: [""], resources: ["*"] },
    res("get", "", "namespaces", { subresource: "status" }),
    true,
  ],
  [
    "a resource does not match its subresource",
    { verbs: ["update"], apiGroups: [""], resources: ["namespaces"] },
    res("update", "", "namespaces", { subresource: "finalize" }),
    false,
  ],
  [
    "resource/subresource matches that subresource",
    { verbs: ["update"], apiGroups: [""], resources: ["namespaces/finalize"] },
    res("update", "", "namespaces", { subresource: "finalize" }),
    true,
  ],
  [
    "resource/subresource does not match the resource itself",
    { verbs: ["update"], apiGroups: [""], resources: ["namespaces/finalize"] },
    res("update", "", "namespaces"),
    false,
  ],
  [
    "*/scale matches the scale subresource of any resource",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] },
    res("get", "apps", "deployments", { subresource: "scale" }),
    true,
  ],
  [
    "*/scale does not match another subresource",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] },
    res("get", "apps", "deployments", { subresource: "status" }),
    false,
  ],
  [
    "*/scale does not match the resource itself",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] },
    res("get", "apps", "deployments"),
    false,
  ],
  [
    "*/scale does not match a subresource that merely ends in scale",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*/scale"] },
    res("get", "apps", "deployments", { subresource: "rescale" }),
    false,
  ],
  [
    "resource/* is literal, as upstream: it grants no subresource",
    { verbs: ["get"], apiGroups: [""], resources: ["namespaces/*"] },
    res("get", "", "namespaces", { subresource: "status" }),
    false,
  ],
  [
    "resourceNames allow get of a listed name",
    {
      verbs: ["get"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a", "b"],
    },
    res("get", "", "configmaps", { name: "b" }),
    true,
  ],
  [
    "resourceNames refuse get of another name",
    {
      verbs: ["get"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("get", "", "configmaps", { name: "c" }),
    false,
  ],
  [
    "resourceNames never allow list (no name)",
    {
      verbs: ["list"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("list", "", "configmaps"),
    false,
  ],
  [
    "resourceNames never allow a collection watch",
    {
      verbs: ["watch"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("watch", "", "configmaps"),
    false,
  ],
  [
    "resourceNames allow a watch of one named object (fieldSelector metadata.name)",
    {
      verbs: ["watch"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("watch", "", "configmaps", { name: "a" }),
    true,
  ],
  [
    "resourceNames never allow create (no name)",
    {
      verbs: ["create"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("create", "", "configmaps"),
    false,
  ],
  [
    "resourceNames never allow deletecollection",
    {
      verbs: ["deletecollection"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: ["a"],
    },
    res("deletecollection", "", "configmaps"),
    false,
  ],
  [
    "empty resourceNames allow every name",
    {
      verbs: ["get"],
      apiGroups: [""],
      resources: ["configmaps"],
      resourceNames: [],
    },
    res("get", "", "configmaps", { name: "anything" }),
    true,
  ],
  [
    "a resource rule never allows a non-resource URL",
    { verbs: ["get"], apiGroups: ["*"], resources: ["*"] },
    url("get", "/healthz"),
    false,
  ],
  [
    "a non-resource rule never allows a resource request",
    { verbs: ["*"], nonResourceURLs: ["*"] },
    res("get", "", "configmaps"),
    false,
  ],
  [
    "a non-resource URL matches exactly",
    { verbs: ["get"], nonResourceURLs: ["/healthz"] },
    url("get", "/healthz"),
    true,
  ],
  [
    "a non-resource URL without * is not a prefix",
    { verbs: ["get"], nonResourceURLs: ["/healthz"] },
    url("get", "/healthz/etcd"),
    false,
  ],
  [
    "a non-resource URL ending in * is a prefix",
    { verbs: ["get"], nonResourceURLs: ["/healthz/*"] },
    url("get", "/healthz/etcd"),
    true,
  ],
  [
    "the prefix form does not match the bare path without its slash",
    { verbs: ["get"], nonResourceURLs: ["/healthz/*"] },
    url("get", "/healthz"),
    false,
  ],
  [
    "the non-resource URL * matches every path",
    { verbs: ["get"], nonResourceURLs: ["*"] },
    url("get", "/metrics"),
    true,
  ],
  [
    "a non-resource rule checks the verb",
    { verbs: ["get"], nonResourceURLs: ["*"] },
    url("post", "/metrics"),
    false,
  ],
];

Deno.test("rules match requests with upstream's semantics", async (t) => {
  for (const [name, rule, attrs, want] of cases) {
    await t.step(name, () => assert.equal(ruleAllows(attrs, rule), want));
  }
});

const sa = {
  username: "system:serviceaccount:ns1:bot",
  groups: [
    "system:serviceaccounts",
    "system:serviceaccounts:ns1",
    "system:authenticated",
  ],
};

const subjectCases: [string, Subject, typeof sa, string, boolean][] = [
  [
    "a User subject matches by name",
    { kind: "User", name: "alice" },
    alice,
    "",
    true,
  ],
  [
    "a User subject does not match another user",
    { kind: "User", name: "bob" },
    alice,
    "",
    false,
  ],
  [
    "a Group subject matches a member",
    { kind: "Group", name: "system:authenticated" },
    alice,
    "",
    true,
  ],
  [
    "a Group subject does not match a non-member",
    { kind: "Group", name: "admins" },
    alice,
    "",
    false,
  ],
  [
    "a ServiceAccount subject matches its user name",
    { kind: "ServiceAccount", name: "bot", namespace: "ns1" },
    sa,
    "",
    true,
  ],
  [
    "a ServiceAccount subject of another namespace does not match",
    { kind: "ServiceAccount", name: "bot", namespace: "ns2" },
    sa,
    "",
    false,
  ],
  [
    "a ServiceAccount without namespace defaults to the RoleBinding's",
    { kind: "ServiceAccount", name: "bot" },
    sa,
    "ns1",
    true,
  ],
  [
    "a ServiceAccount without namespace in a ClusterRoleBinding matches nobody",
    { kind: "ServiceAccount", name: "bot" },
    sa,
    "",
    false,
  ],
  [
    "a ServiceAccount name is not a prefix match",
    { kind: "ServiceAccount", name: "bo", namespace: "ns1" },
    sa,
    "",
    false,
  ],
  [
    "the group system:serviceaccounts matches every service account",
    { kind: "Group", name: "system:serviceaccounts" },
    sa,
    "",
    true,
  ],
  [
    "the group system:serviceaccounts:<ns> matches that namespace's accounts",
    { kind: "Group", name: "system:serviceaccounts:ns1" },
    sa,
    "",
    true,
  ],
  [
    "the group system:serviceaccounts:<other> does not",
    { kind: "Group", name: "system:serviceaccounts:ns2" },
    sa,
    "",
    false,
  ],
  [
    "an unknown subject kind matches nobody",
    { kind: "Robot", name: "alice" },
    alice,
    "",
    false,
  ],
];

Deno.test("binding subjects apply to users as upstream's appliesToUser", async (t) => {
  for (const [name, subject, user, ns, want] of subjectCases) {
    await t.step(
      name,
      () => assert.equal(subjectMatches(subject, user, ns), want),
    );
  }
});
