import assert from "node:assert/strict";
import type { UserInfo } from "../../request_context.ts";
import type { AuthorizationAttributes } from "../authorizer.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { StaticPolicy } from "./policy_index.ts";
import {
  binding,
  clusterBinding,
  clusterRole,
  groupSubject,
  role,
  rule,
  saSubject,
  userSubject,
} from "../../../tests/support/rbac_objects.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };
const bob: UserInfo = {
  username: "bob",
  groups: ["system:authenticated", "devs"],
};
const bot: UserInfo = {
  username: "system:serviceaccount:ns1:bot",
  groups: [
    "system:serviceaccounts",
    "system:serviceaccounts:ns1",
    "system:authenticated",
  ],
};
const anonymous: UserInfo = {
  username: "system:anonymous",
  groups: ["system:unauthenticated"],
};
const admin: UserInfo = { username: "root", groups: ["system:masters"] };

const read = rule(["get", "list", "watch"], [""], ["configmaps"]);

function policy(): StaticPolicy {
  return StaticPolicy.of({
    root: [
      clusterRole("cm-reader", [read]),
      clusterRole("secret-reader", [rule(["get"], [""], ["secrets"])]),
      clusterRole("healthz", [{
        verbs: ["get"],
        nonResourceURLs: ["/healthz"],
      }]),
      role("a", "lease-writer", [
        rule(["update"], ["coordination.k8s.io"], ["leases"]),
      ]),
      clusterBinding("alice-reads", "cm-reader", [userSubject("alice")]),
      clusterBinding("anon-healthz", "healthz", [
        groupSubject("system:unauthenticated"),
      ]),
      binding("a", "bob-secrets", "ClusterRole", "secret-reader", [
        userSubject("bob"),
      ]),
      binding("a", "devs-leases", "Role", "lease-writer", [
        groupSubject("devs"),
      ]),
      binding("ns1", "bot-reads", "ClusterRole", "cm-reader", [
        saSubject("bot"),
      ]),
      binding("ns2", "all-sa", "ClusterRole", "secret-reader", [
        groupSubject("system:serviceaccounts"),
      ]),
      binding("ns3", "ns1-sa", "ClusterRole", "secret-reader", [
        groupSubject("system:serviceaccounts:ns1"),
      ]),
      binding("ns4", "everyone", "ClusterRole", "cm-reader", [
        groupSubject("system:authenticated"),
      ]),
      binding("a", "dangling", "ClusterRole", "does-not-exist", [
        userSubject("carol"),
      ]),
      binding("a", "dangling-role", "Role", "nope", [userSubject("carol")]),
    ],
    other: [
      clusterRole("cm-reader", [read]),
      clusterBinding("bob-reads", "cm-reader", [userSubject("bob")]),
    ],
  });
}

function req(
  user: UserInfo,
  verb: string,
  resource: string,
  namespace?: string,
  extra: Partial<AuthorizationAttributes> = {},
): AuthorizationAttributes {
  return {
    user,
    cluster: "root",
    verb,
    isResourceRequest: true,
    apiGroup: "",
    resource,
    namespace,
    ...extra,
  };
}

const carol: UserInfo = { username: "carol", groups: ["system:authenticated"] };

const cases: [string, AuthorizationAttributes, boolean][] = [
  [
    "a ClusterRoleBinding grants in every namespace",
    req(alice, "list", "configmaps", "x"),
    true,
  ],
  [
    "a ClusterRoleBinding grants at the cluster scope",
    req(alice, "list", "configmaps"),
    true,
  ],
  [
    "a ClusterRoleBinding grants only its role's rules",
    req(alice, "delete", "configmaps", "x"),
    false,
  ],
  [
    "a RoleBinding to a ClusterRole grants in its namespace",
    req(bob, "get", "secrets", "a"),
    true,
  ],
  [
    "a RoleBinding grants nothing in another namespace",
    req(bob, "get", "secrets", "b"),
    false,
  ],
  [
    "a RoleBinding grants nothing at the cluster scope",
    req(bob, "get", "secrets"),
    false,
  ],
  [
    "a RoleBinding to a Role grants a group member in its namespace",
    req(bob, "update", "leases", "a", { apiGroup: "coordination.k8s.io" }),
    true,
  ],
  [
    "a Role of one namespace is not granted in another",
    req(bob, "update", "leases", "b", { apiGroup: "coordination.k8s.io" }),
    false,
  ],
  [
    "a binding to a missing ClusterRole grants nothing",
    req(carol, "get", "configmaps", "a"),
    false,
  ],
  [
    "a service account subject defaults to the binding's namespace",
    req(bot, "get", "configmaps", "ns1"),
    true,
  ],
  [
    "the system:serviceaccounts group is honoured",
    req(bot, "get", "secrets", "ns2"),
    true,
  ],
  [
    "the system:serviceaccounts:<ns> group is honoured",
    req(bot, "get", "secrets", "ns3"),
    true,
  ],
  [
    "system:serviceaccounts does not reach ordinary users",
    req(alice, "get", "secrets", "ns2"),
    false,
  ],
  [
    "the system:authenticated group is honoured",
    req(carol, "get", "configmaps", "ns4"),
    true,
  ],
  [
    "anonymous users are not system:authenticated",
    req(anonymous, "get", "configmaps", "ns4"),
    false,
  ],
  [
    "the system:unauthenticated group is honoured",
    {
      user: anonymous,
      cluster: "root",
      verb: "get",
      isResourceRequest: false,
      path: "/healthz",
    },
    true,
  ],
  [
    "non-resource rules need the exact path",
    {
      user: anonymous,
      cluster: "root",
      verb: "get",
      isResourceRequest: false,
      path: "/metrics",
    },
    false,
  ],
  [
    "a binding in another cluster grants nothing here",
    req(bob, "get", "configmaps", "x"),
    false,
  ],
  ["a binding here grants nothing in another cluster", {
    ...req(alice, "get", "configmaps", "x"),
    cluster: "other",
  }, false],
  ["the other cluster's own binding grants there", {
    ...req(bob, "get", "configmaps", "x"),
    cluster: "other",
  }, true],
  ["an unknown cluster grants nothing", {
    ...req(alice, "get", "configmaps", "x"),
    cluster: "nowhere",
  }, false],
  [
    "system:masters may do anything",
    req(admin, "escalate", "clusterroles", undefined, {
      apiGroup: "rbac.authorization.k8s.io",
    }),
    true,
  ],
  ["system:masters may do anything in an unknown cluster", {
    ...req(admin, "delete", "x"),
    cluster: "nowhere",
  }, true],
];

Deno.test("the RBAC authorizer decides per binding scope and cluster", async (t) => {
  const rbac = new RbacAuthorizer(policy());
  for (const [name, attrs, want] of cases) {
    await t.step(name, async () => {
      assert.equal((await rbac.authorize(attrs)).allowed, want);
    });
  }
});

Deno.test("decisions give upstream's reasons", async (t) => {
  const rbac = new RbacAuthorizer(policy());
  await t.step(
    "an allow names the ClusterRoleBinding, role and subject",
    async () => {
      const d = await rbac.authorize(req(alice, "get", "configmaps", "x"));
      assert.deepEqual(d, {
        allowed: true,
        reason:
          'RBAC: allowed by ClusterRoleBinding "alice-reads" of ClusterRole "cm-reader" to User "alice"',
      });
    },
  );
  await t.step(
    "an allow by a RoleBinding names it as name/namespace",
    async () => {
      const d = await rbac.authorize(req(bob, "get", "secrets", "a"));
      assert.equal(
        d.reason,
        'RBAC: allowed by RoleBinding "bob-secrets/a" of ClusterRole "secret-reader" to User "bob"',
      );
    },
  );
  await t.step(
    "a service account subject is described as name/namespace",
    async () => {
      const d = await rbac.authorize(req(bot, "get", "configmaps", "ns1"));
      assert.equal(
        d.reason,
        'RBAC: allowed by RoleBinding "bot-reads/ns1" of ClusterRole "cm-reader" to ServiceAccount "bot/ns1"',
      );
    },
  );
  await t.step(
    "a denial has no reason (the server writes upstream's message)",
    async () => {
      const d = await rbac.authorize(req(alice, "delete", "configmaps", "x"));
      assert.deepEqual(d, { allowed: false });
    },
  );
});

Deno.test("the policy follows changes to roles and bindings", async (t) => {
  const p = policy();
  const rbac = new RbacAuthorizer(p);
  await t.step(
    "a changed role takes effect without touching its bindings",
    async () => {
      p.put(
        "root",
        clusterRole("cm-reader", [rule(["*"], [""], ["configmaps"])]),
      );
      assert.equal(
        (await rbac.authorize(req(alice, "delete", "configmaps", "x"))).allowed,
        true,
      );
    },
  );
  await t.step(
    "a binding whose subjects change stops granting the old subject",
    async () => {
      p.put(
        "root",
        clusterBinding("alice-reads", "cm-reader", [userSubject("dave")]),
      );
      assert.equal(
        (await rbac.authorize(req(alice, "get", "configmaps", "x"))).allowed,
        false,
      );
      const dave = { username: "dave", groups: [] };
      assert.equal(
        (await rbac.authorize(req(dave, "get", "configmaps", "x"))).allowed,
        true,
      );
    },
  );
  await t.step("a removed binding grants nothing", async () => {
    p.remove("root", "rolebindings", "a", "bob-secrets");
    assert.equal(
      (await rbac.authorize(req(bob, "get", "secrets", "a"))).allowed,
      false,
    );
  });
  await t.step(
    "a removed role leaves its bindings granting nothing",
    async () => {
      p.remove("root", "roles", "a", "lease-writer");
      const attrs = req(bob, "update", "leases", "a", {
        apiGroup: "coordination.k8s.io",
      });
      assert.equal((await rbac.authorize(attrs)).allowed, false);
    },
  );
});

Deno.test("rulesFor lists a user's rules for SelfSubjectRulesReview", async (t) => {
  const rbac = new RbacAuthorizer(policy());
  await t.step("cluster-wide and namespace rules are both listed", async () => {
    const p = StaticPolicy.of({
      root: [
        clusterRole("cm-reader", [read]),
        clusterRole("healthz", [{
          verbs: ["get"],
          nonResourceURLs: ["/healthz"],
        }]),
        clusterRole("named", [rule(["get"], [""], ["secrets"], ["s1"])]),
        clusterBinding("c1", "cm-reader", [userSubject("bob")]),
        clusterBinding("c2", "healthz", [groupSubject("devs")]),
        binding("a", "r1", "ClusterRole", "named", [
          userSubject("bob"),
          groupSubject("devs"),
        ]),
      ],
    });
    const s = await new RbacAuthorizer(p).rulesFor(bob, "root", "a");
    assert.deepEqual(s, {
      resourceRules: [
        {
          verbs: ["get", "list", "watch"],
          apiGroups: [""],
          resources: ["configmaps"],
        },
        {
          verbs: ["get"],
          apiGroups: [""],
          resources: ["secrets"],
          resourceNames: ["s1"],
        },
      ],
      nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }],
      incomplete: false,
    });
    const elsewhere = await new RbacAuthorizer(p).rulesFor(bob, "root", "b");
    assert.equal(elsewhere.resourceRules.length, 1);
  });
  await t.step(
    "a binding to a missing role is reported as an evaluation error",
    async () => {
      const s = await rbac.rulesFor(carol, "root", "a");
      assert.equal(s.incomplete, true);
      assert.equal(
        s.evaluationError,
        '[clusterrole.rbac.authorization.k8s.io "does-not-exist" not found, role.rbac.authorization.k8s.io "nope" not found]',
      );
    },
  );
  await t.step("system:masters is listed with the wildcard rules", async () => {
    const s = await rbac.rulesFor(admin, "root", "a");
    assert.deepEqual(s.resourceRules[0], {
      verbs: ["*"],
      apiGroups: ["*"],
      resources: ["*"],
    });
    assert.deepEqual(s.nonResourceRules[0], {
      verbs: ["*"],
      nonResourceURLs: ["*"],
    });
  });
  await t.step("another cluster's rules are not listed", async () => {
    const s = await rbac.rulesFor(bob, "other", "a");
    assert.equal(s.resourceRules.length, 1);
    assert.deepEqual(s.resourceRules[0].resources, ["configmaps"]);
  });
});
