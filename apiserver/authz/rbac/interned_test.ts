import assert from "node:assert/strict";
import type { UserInfo } from "../../request_context.ts";
import { RbacAuthorizer } from "./authorizer.ts";
import { JsonInterner } from "./interned.ts";
import { StaticPolicy } from "./policy_index.ts";
import {
  clusterBinding,
  clusterRole,
  groupSubject,
  rule,
  userSubject,
} from "../../../tests/support/rbac_objects.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };
const read = rule(["get", "list", "watch"], [""], ["configmaps"]);

function getConfigMap(cluster: string) {
  return {
    user: alice,
    cluster,
    verb: "get",
    isResourceRequest: true,
    apiGroup: "",
    resource: "configmaps",
    namespace: "default",
    name: "x",
  };
}

Deno.test("identical roles and bindings of two clusters share one copy; a change in one cluster stays there", async () => {
  const objects = () => [
    clusterRole("reader", [read]),
    clusterBinding("alice-reads", "reader", [userSubject("alice")]),
  ];
  const policy = StaticPolicy.of({ a: objects(), b: objects() });
  const a = policy.policyFor("a")!;
  const b = policy.policyFor("b")!;
  assert.equal(a.clusterRoleRules("reader"), b.clusterRoleRules("reader"));
  assert.equal(
    a.clusterRoleBindings()[0].subjects,
    b.clusterRoleBindings()[0].subjects,
  );
  assert.ok(Object.isFrozen(a.clusterRoleRules("reader")![0]));
  const rbac = new RbacAuthorizer(policy);
  assert.equal((await rbac.authorize(getConfigMap("a"))).allowed, true);
  assert.equal((await rbac.authorize(getConfigMap("b"))).allowed, true);

  // Cluster a's role loses the rule: a denies, b still allows.
  policy.put(
    "a",
    clusterRole("reader", [rule(["get"], [""], ["secrets"])]),
  );
  assert.equal((await rbac.authorize(getConfigMap("a"))).allowed, false);
  assert.equal((await rbac.authorize(getConfigMap("b"))).allowed, true);
  // ... and gets it back: the shared copy is found again.
  policy.put("a", clusterRole("reader", [read]));
  assert.equal(a.clusterRoleRules("reader"), b.clusterRoleRules("reader"));
  assert.equal((await rbac.authorize(getConfigMap("a"))).allowed, true);
});

Deno.test("identical bindings of two clusters share one entry and one-binding lists; their lists change per cluster", async () => {
  const secrets = rule(["get"], [""], ["secrets"]);
  // Reached through alice and through her group: visited once per decision.
  const both = [userSubject("alice"), groupSubject("system:authenticated")];
  const objects = () => [
    clusterRole("reader", [read]),
    clusterRole("secret-reader", [secrets]),
    clusterBinding("alice-reads", "reader", both),
  ];
  const policy = StaticPolicy.of({ a: objects(), b: objects() });
  const a = policy.policyFor("a")!;
  const b = policy.policyFor("b")!;
  assert.equal(a.clusterRoleBindings()[0], b.clusterRoleBindings()[0]);
  assert.equal(
    a.clusterBindingsForUser("alice"),
    b.clusterBindingsForUser("alice"),
  );
  assert.ok(Object.isFrozen(a.clusterBindingsForUser("alice")));
  const rbac = new RbacAuthorizer(policy);
  const getSecret = (cluster: string) => ({
    ...getConfigMap(cluster),
    resource: "secrets",
  });
  // Denials visit the shared entry from both clusters in turn.
  for (const c of ["a", "b", "a", "b"]) {
    assert.equal((await rbac.authorize(getConfigMap(c))).allowed, true);
    assert.equal((await rbac.authorize(getSecret(c))).allowed, false);
  }

  // A second binding of alice in a: a's list is its own, b's stays shared.
  policy.put(
    "a",
    clusterBinding("alice-secrets", "secret-reader", [userSubject("alice")]),
  );
  assert.equal(a.clusterBindingsForUser("alice")!.length, 2);
  assert.equal(b.clusterBindingsForUser("alice")!.length, 1);
  assert.equal((await rbac.authorize(getSecret("a"))).allowed, true);
  assert.equal((await rbac.authorize(getSecret("b"))).allowed, false);
  // Removing the first leaves a the second's shared one-binding list.
  policy.remove("a", "clusterrolebindings", "", "alice-reads");
  assert.deepEqual(
    a.clusterBindingsForUser("alice")!.map((e) => e.name),
    ["alice-secrets"],
  );
  assert.ok(Object.isFrozen(a.clusterBindingsForUser("alice")));
  assert.equal((await rbac.authorize(getConfigMap("a"))).allowed, false);
  assert.equal((await rbac.authorize(getSecret("a"))).allowed, true);
  assert.equal((await rbac.authorize(getConfigMap("b"))).allowed, true);
  // b's shared list is untouched by a's changes.
  assert.deepEqual(
    b.clusterBindingsForUser("alice")!.map((e) => e.name),
    ["alice-reads"],
  );
});

Deno.test("the interned copy does not follow later changes of the object it came from", async () => {
  const role = clusterRole("reader", [structuredClone(read)]);
  const policy = StaticPolicy.of({
    a: [role, clusterBinding("alice-reads", "reader", [userSubject("alice")])],
  });
  (role.rules![0].verbs as string[]).length = 0;
  const rbac = new RbacAuthorizer(policy);
  assert.equal((await rbac.authorize(getConfigMap("a"))).allowed, true);
});

/** Interns two values and lets them go; returns how many were held. */
function internAndDrop(interner: JsonInterner): number {
  const held = interner.intern([{ verbs: ["get"] }]);
  assert.equal(interner.intern([{ verbs: ["get"] }]), held);
  assert.notEqual(interner.intern([{ verbs: ["list"] }]), held);
  return interner.size;
}

Deno.test("the interner keys by JSON text and forgets values nobody holds", async () => {
  const interner = new JsonInterner();
  assert.equal(internAndDrop(interner), 2);
  // deno-lint-ignore no-explicit-any
  const gc = (globalThis as any).gc as (() => void) | undefined;
  if (!gc) return; // forgetting needs a collection (`--v8-flags=--expose-gc`)
  for (let i = 0; i < 10 && interner.size > 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
    gc();
  }
  assert.equal(interner.size, 0);
});
