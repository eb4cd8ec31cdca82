import assert from "node:assert/strict";
import type { UserInfo } from "../../request_context.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { checkRbacWrite, confirmNoEscalation } from "./escalation.ts";
import { StaticPolicy } from "./policy_index.ts";
import type { RbacWrite } from "./escalation.ts";
import {
  binding,
  clusterBinding,
  clusterRole,
  role,
  rule,
  userSubject,
} from "../../../tests/support/rbac_objects.ts";
import type { ClusterRoleObject } from "./types.ts";

const RBAC = "rbac.authorization.k8s.io";
const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };
const eve: UserInfo = { username: "eve", groups: ["system:authenticated"] };
const binder: UserInfo = { username: "binder", groups: [] };
const escalator: UserInfo = { username: "esc", groups: [] };
const root: UserInfo = { username: "root", groups: ["system:masters"] };

const cmAll = rule(["*"], [""], ["configmaps"]);
const secretsGet = rule(["get"], [""], ["secrets"]);

function setup() {
  const policy = StaticPolicy.of({
    root: [
      clusterRole("cm-admin", [cmAll]),
      clusterRole("secret-reader", [secretsGet]),
      clusterRole("everything", [rule(["*"], ["*"], ["*"])]),
      clusterRole("rbac-writer", [
        rule(["create", "update"], [RBAC], [
          "roles",
          "rolebindings",
          "clusterroles",
          "clusterrolebindings",
        ]),
      ]),
      clusterRole("bind-cm-admin", [
        rule(["bind"], [RBAC], ["clusterroles"], ["cm-admin"]),
      ]),
      clusterRole("escalate-roles", [
        rule(["escalate"], [RBAC], ["roles", "clusterroles"]),
      ]),
      clusterBinding("bob-cm", "cm-admin", [userSubject("bob")]),
      binding("a", "bob-secrets", "ClusterRole", "secret-reader", [
        userSubject("bob"),
      ]),
      clusterBinding("binder", "bind-cm-admin", [userSubject("binder")]),
      clusterBinding("esc", "escalate-roles", [userSubject("esc")]),
      role("a", "local", [secretsGet]),
    ],
  });
  const rbac = new RbacAuthorizer(policy);
  return { checker: { authorizer: rbac, resolver: rbac }, rbac };
}

function write(
  user: UserInfo,
  resource: RbacWrite["resource"],
  namespace: string,
  object: RbacWrite["object"],
  old?: RbacWrite["object"],
): RbacWrite {
  return { user, cluster: "root", resource, namespace, object, old };
}

const cases: [string, RbacWrite, number | undefined][] = [
  [
    "a Role with rules the user holds cluster-wide",
    write(
      bob,
      "roles",
      "x",
      role("x", "r", [rule(["get", "list"], [""], ["configmaps"])]),
    ),
    undefined,
  ],
  [
    "a Role with rules the user holds only in that namespace",
    write(bob, "roles", "a", role("a", "r", [secretsGet])),
    undefined,
  ],
  [
    "a Role with those namespace rules in another namespace",
    write(bob, "roles", "b", role("b", "r", [secretsGet])),
    403,
  ],
  [
    "a ClusterRole with rules held only in a namespace",
    write(bob, "clusterroles", "", clusterRole("c", [secretsGet])),
    403,
  ],
  [
    "a ClusterRole with rules the user does not hold",
    write(eve, "clusterroles", "", clusterRole("c", [cmAll])),
    403,
  ],
  [
    "any role by a member of system:masters",
    write(
      root,
      "clusterroles",
      "",
      clusterRole("c", [rule(["*"], ["*"], ["*"])]),
    ),
    undefined,
  ],
  [
    "any role by a user who may escalate roles",
    write(escalator, "roles", "x", role("x", "r", [rule(["*"], ["*"], ["*"])])),
    undefined,
  ],
  [
    "an aggregated ClusterRole by a user without * on *.*",
    write(bob, "clusterroles", "", {
      ...clusterRole("agg", []),
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] },
    } as ClusterRoleObject),
    403,
  ],
  [
    "a RoleBinding to a ClusterRole whose rules the user holds",
    write(
      bob,
      "rolebindings",
      "x",
      binding("x", "b", "ClusterRole", "cm-admin", [userSubject("eve")]),
    ),
    undefined,
  ],
  [
    "a RoleBinding to a ClusterRole whose rules the user lacks",
    write(
      eve,
      "rolebindings",
      "x",
      binding("x", "b", "ClusterRole", "cm-admin", [userSubject("eve")]),
    ),
    403,
  ],
  [
    "a RoleBinding to a Role of its namespace the user holds there",
    write(
      bob,
      "rolebindings",
      "a",
      binding("a", "b", "Role", "local", [userSubject("eve")]),
    ),
    undefined,
  ],
  [
    "a binding by a user allowed to bind that role by name",
    write(
      binder,
      "clusterrolebindings",
      "",
      clusterBinding("b", "cm-admin", [userSubject("binder")]),
    ),
    undefined,
  ],
  [
    "a binding by a user allowed to bind only another role",
    write(
      binder,
      "clusterrolebindings",
      "",
      clusterBinding("b", "secret-reader", [userSubject("binder")]),
    ),
    403,
  ],
  [
    "a ClusterRoleBinding needs the role's rules cluster-wide",
    write(
      bob,
      "clusterrolebindings",
      "",
      clusterBinding("b", "secret-reader", [userSubject("eve")]),
    ),
    403,
  ],
  [
    "a binding to a missing role",
    write(
      eve,
      "rolebindings",
      "x",
      binding("x", "b", "ClusterRole", "nope", [userSubject("eve")]),
    ),
    404,
  ],
  [
    "an update that only changes finalizers",
    write(
      eve,
      "clusterrolebindings",
      "",
      {
        ...clusterBinding("b", "everything", [userSubject("eve")]),
        metadata: { name: "b", finalizers: ["x"] },
      },
      clusterBinding("b", "everything", [userSubject("eve")]),
    ),
    undefined,
  ],
  [
    "an update that adds a subject",
    write(
      eve,
      "clusterrolebindings",
      "",
      clusterBinding("b", "everything", [
        userSubject("eve"),
        userSubject("mallory"),
      ]),
      clusterBinding("b", "everything", [userSubject("eve")]),
    ),
    403,
  ],
];

Deno.test("writes of RBAC objects are checked for escalation", async (t) => {
  const { checker } = setup();
  for (const [name, w, code] of cases) {
    await t.step(name, async () => {
      const denial = await checkRbacWrite(checker, w);
      assert.equal(denial?.code, code, JSON.stringify(denial));
    });
  }
});

Deno.test("escalation denials read as upstream's", async (t) => {
  const { checker, rbac } = setup();
  await t.step(
    "a role with rules not held lists them, compacted and sorted",
    async () => {
      const denial = await checkRbacWrite(
        checker,
        write(
          eve,
          "roles",
          "x",
          role("x", "r", [
            rule(["get", "list"], [""], ["secrets", "configmaps"]),
          ]),
        ),
      );
      assert.deepEqual(denial, {
        code: 403,
        group: RBAC,
        resource: "roles",
        name: "r",
        message:
          'user "eve" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:[""], Resources:["configmaps"], Verbs:["get" "list"]}\n' +
          '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
      });
    },
  );
  await t.step("an aggregation rule needs cluster-admin", async () => {
    const denial = await checkRbacWrite(
      checker,
      write(bob, "clusterroles", "", {
        ...clusterRole("agg", []),
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { a: "b" } }],
        },
      } as ClusterRoleObject),
    );
    assert.equal(
      denial?.message,
      "must have cluster-admin privileges to use the aggregationRule",
    );
  });
  await t.step(
    "a binding to a missing role is NotFound of that role",
    async () => {
      const denial = await checkRbacWrite(
        checker,
        write(
          eve,
          "rolebindings",
          "x",
          binding("x", "b", "ClusterRole", "nope", []),
        ),
      );
      assert.deepEqual(denial, {
        code: 404,
        group: RBAC,
        resource: "clusterroles",
        name: "nope",
        message: 'clusterroles.rbac.authorization.k8s.io "nope" not found',
      });
    },
  );
  await t.step("confirmNoEscalation returns the uncovered pieces", async () => {
    const r = await confirmNoEscalation(rbac, bob, "root", "x", [
      rule(["get", "delete"], [""], ["configmaps", "secrets"]),
    ]);
    assert.deepEqual(r.uncovered, [
      rule(["get"], [""], ["secrets"]),
      rule(["delete"], [""], ["secrets"]),
    ]);
  });
  await t.step("rules held in another cluster do not count", async () => {
    const r = await checkRbacWrite(checker, {
      ...write(bob, "roles", "x", role("x", "r", [cmAll])),
      cluster: "other",
    });
    assert.equal(r?.code, 403);
  });
});
