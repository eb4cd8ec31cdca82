import assert from "node:assert/strict";
import type { UserInfo } from "../../request_context.ts";
import type { AuthorizationAttributes } from "../authorizer.ts";
import { aggregateAll } from "./aggregation.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { bootstrapPolicy } from "./bootstrap_policy.ts";
import { covers } from "./covers.ts";
import { checkRbacWrite } from "./escalation.ts";
import { StaticPolicy } from "./policy_index.ts";
import { rulesAllow } from "./rules.ts";
import {
  binding,
  rule,
  userSubject,
} from "../../../tests/support/rbac_objects.ts";
import type { KubeObject } from "../../../storage/mod.ts";
import { AUTOUPDATE_ANNOTATION, BOOTSTRAPPING_LABEL } from "./types.ts";

const policy = bootstrapPolicy();
const aggregated = aggregateAll(policy.clusterRoles);
const byName = new Map(aggregated.map((r) => [r.metadata.name, r]));
const rulesOf = (name: string) => byName.get(name)?.rules ?? [];

Deno.test("the bootstrap policy is consistent", async (t) => {
  await t.step("every binding refers to a role of the policy", () => {
    for (const b of policy.clusterRoleBindings) {
      assert.equal(b.roleRef.kind, "ClusterRole");
      assert.ok(byName.has(b.roleRef.name), b.metadata.name ?? "");
    }
    for (const b of policy.roleBindings) {
      const found = b.roleRef.kind === "Role"
        ? policy.roles.some((r) =>
          r.metadata.name === b.roleRef.name &&
          r.metadata.namespace === b.metadata.namespace
        )
        : byName.has(b.roleRef.name);
      assert.ok(found, b.metadata.name ?? "");
    }
  });
  await t.step("every object is labelled and annotated for auto-update", () => {
    const all: KubeObject[] = [
      ...policy.clusterRoles,
      ...policy.clusterRoleBindings,
      ...policy.roles,
      ...policy.roleBindings,
    ];
    for (const o of all) {
      assert.equal(o.metadata.labels?.[BOOTSTRAPPING_LABEL], "rbac-defaults");
      assert.equal(o.metadata.annotations?.[AUTOUPDATE_ANNOTATION], "true");
    }
  });
  await t.step("names are unique per kind", () => {
    for (const list of [policy.clusterRoles, policy.clusterRoleBindings]) {
      const names = list.map((o) => o.metadata.name);
      assert.equal(new Set(names).size, names.length);
    }
  });
  await t.step("view aggregates nothing that reads secrets or writes", () => {
    const view = rulesOf("view");
    assert.ok(view.length > 0);
    for (const verb of ["get", "list", "watch"]) {
      assert.equal(
        covers(view, [rule([verb], [""], ["secrets"])]).length,
        1,
        `view may ${verb} secrets`,
      );
    }
    for (const r of view) assert.deepEqual(r.verbs, ["get", "list", "watch"]);
  });
  await t.step("edit covers view, and admin covers edit", () => {
    assert.deepEqual(covers(rulesOf("edit"), rulesOf("view")), []);
    assert.deepEqual(covers(rulesOf("admin"), rulesOf("edit")), []);
    assert.notDeepEqual(covers(rulesOf("view"), rulesOf("edit")), []);
  });
  await t.step("edit may read secrets; only admin may write roles", () => {
    assert.deepEqual(
      covers(rulesOf("edit"), [rule(["get"], [""], ["secrets"])]),
      [],
    );
    const writeRoles = [
      rule(["create"], ["rbac.authorization.k8s.io"], ["rolebindings"]),
    ];
    assert.notDeepEqual(covers(rulesOf("edit"), writeRoles), []);
    assert.deepEqual(covers(rulesOf("admin"), writeRoles), []);
  });
  await t.step("the controller roles hold what their controllers need", () => {
    const can = (role: string, attrs: Partial<AuthorizationAttributes>) =>
      rulesAllow({
        user: { username: "x", groups: [] },
        cluster: "root",
        verb: "get",
        isResourceRequest: true,
        apiGroup: "",
        ...attrs,
      }, rulesOf(role));
    const gc = "system:controller:generic-garbage-collector";
    assert.ok(
      can(gc, { verb: "patch", apiGroup: "example.com", resource: "widgets" }),
    );
    assert.ok(!can(gc, { verb: "create", resource: "configmaps" }));
    const ns = "system:controller:namespace-controller";
    assert.ok(
      can(ns, {
        verb: "update",
        resource: "namespaces",
        subresource: "finalize",
      }),
    );
    assert.ok(can(ns, { verb: "deletecollection", resource: "secrets" }));
    assert.ok(!can(ns, { verb: "update", resource: "namespaces" }));
    assert.ok(
      can("system:controller:service-account-controller", {
        verb: "create",
        resource: "serviceaccounts",
      }),
    );
    assert.ok(
      can("system:controller:root-ca-cert-publisher", {
        verb: "update",
        resource: "configmaps",
      }),
    );
    assert.ok(can("system:controller:clusterrole-aggregation-controller", {
      verb: "escalate",
      apiGroup: "rbac.authorization.k8s.io",
      resource: "clusterroles",
    }));
  });
});

const rbac = new RbacAuthorizer(StaticPolicy.of({
  root: [
    ...aggregated,
    ...policy.clusterRoleBindings,
    ...policy.roles,
    ...policy.roleBindings,
    binding("team", "viewers", "ClusterRole", "view", [userSubject("viewer")]),
    binding("team", "editors", "ClusterRole", "edit", [userSubject("editor")]),
    binding("team", "admins", "ClusterRole", "admin", [userSubject("owner")]),
  ],
}));

const authed = (username: string, ...groups: string[]): UserInfo => ({
  username,
  groups: [...groups, "system:authenticated"],
});
const anonymous: UserInfo = {
  username: "system:anonymous",
  groups: ["system:unauthenticated"],
};
const sa: UserInfo = authed(
  "system:serviceaccount:team:app",
  "system:serviceaccounts",
  "system:serviceaccounts:team",
);

function path(user: UserInfo, p: string): AuthorizationAttributes {
  return {
    user,
    cluster: "root",
    verb: "get",
    isResourceRequest: false,
    path: p,
  };
}
function res(
  user: UserInfo,
  verb: string,
  apiGroup: string,
  resource: string,
  namespace?: string,
  extra: Partial<AuthorizationAttributes> = {},
): AuthorizationAttributes {
  return {
    user,
    cluster: "root",
    verb,
    isResourceRequest: true,
    apiGroup,
    resource,
    namespace,
    ...extra,
  };
}

const cases: [string, AuthorizationAttributes, boolean][] = [
  [
    "an authenticated user may read discovery",
    path(authed("u"), "/apis/apps/v1"),
    true,
  ],
  [
    "an authenticated user may read /version",
    path(authed("u"), "/version"),
    true,
  ],
  ["an anonymous user may read /healthz", path(anonymous, "/healthz"), true],
  ["an anonymous user may not read discovery", path(anonymous, "/api"), false],
  [
    "an authenticated user may not read /metrics",
    path(authed("u"), "/metrics"),
    false,
  ],
  [
    "system:monitoring may read /metrics",
    path(authed("m", "system:monitoring"), "/metrics"),
    true,
  ],
  [
    "a service account may read the issuer's keys",
    path(sa, "/openid/v1/jwks"),
    true,
  ],
  [
    "a plain user may not read the issuer's keys",
    path(authed("u"), "/openid/v1/jwks"),
    false,
  ],
  [
    "every user may create a SelfSubjectAccessReview",
    res(
      authed("u"),
      "create",
      "authorization.k8s.io",
      "selfsubjectaccessreviews",
    ),
    true,
  ],
  [
    "every user may create a SelfSubjectReview",
    res(authed("u"), "create", "authentication.k8s.io", "selfsubjectreviews"),
    true,
  ],
  [
    "a viewer may list configmaps in its namespace",
    res(authed("viewer"), "list", "", "configmaps", "team"),
    true,
  ],
  [
    "a viewer may get its namespace",
    res(authed("viewer"), "get", "", "namespaces", "team", { name: "team" }),
    true,
  ],
  [
    "a viewer may not get secrets",
    res(authed("viewer"), "get", "", "secrets", "team"),
    false,
  ],
  [
    "a viewer may not list configmaps elsewhere",
    res(authed("viewer"), "list", "", "configmaps", "x"),
    false,
  ],
  [
    "an editor may get secrets",
    res(authed("editor"), "get", "", "secrets", "team"),
    true,
  ],
  [
    "an editor may update leases",
    res(authed("editor"), "update", "coordination.k8s.io", "leases", "team"),
    true,
  ],
  [
    "an editor may not create rolebindings",
    res(
      authed("editor"),
      "create",
      "rbac.authorization.k8s.io",
      "rolebindings",
      "team",
    ),
    false,
  ],
  [
    "an admin may create rolebindings",
    res(
      authed("owner"),
      "create",
      "rbac.authorization.k8s.io",
      "rolebindings",
      "team",
    ),
    true,
  ],
  [
    "the controller manager may update its lease",
    res(
      authed("system:kube-controller-manager"),
      "update",
      "coordination.k8s.io",
      "leases",
      "kube-system",
      {
        name: "kube-controller-manager",
      },
    ),
    true,
  ],
  [
    "a controller user holds its controller role",
    res(
      authed("system:controller:namespace-controller"),
      "delete",
      "",
      "configmaps",
      "x",
    ),
    true,
  ],
  [
    "a controller's upstream service account holds it too",
    res(
      authed("system:serviceaccount:kube-system:generic-garbage-collector"),
      "patch",
      "",
      "secrets",
      "x",
    ),
    true,
  ],
  [
    "system:masters holds cluster-admin",
    res(authed("root", "system:masters"), "delete", "", "namespaces"),
    true,
  ],
];

Deno.test("the bootstrap policy grants what upstream's does", async (t) => {
  for (const [name, attrs, want] of cases) {
    await t.step(
      name,
      async () => assert.equal((await rbac.authorize(attrs)).allowed, want),
    );
  }
});

Deno.test("a namespace admin may bind edit but not cluster-admin", async () => {
  const checker = { authorizer: rbac, resolver: rbac };
  const owner = authed("owner");
  const edit = await checkRbacWrite(checker, {
    user: owner,
    cluster: "root",
    resource: "rolebindings",
    namespace: "team",
    object: binding("team", "b", "ClusterRole", "edit", [userSubject("x")]),
  });
  assert.equal(edit, undefined);
  const ca = await checkRbacWrite(checker, {
    user: owner,
    cluster: "root",
    resource: "rolebindings",
    namespace: "team",
    object: binding("team", "b", "ClusterRole", "cluster-admin", [
      userSubject("x"),
    ]),
  });
  assert.equal(ca?.code, 403);
});
