import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import type {
  AuthorizationAttributes,
  Authorizer,
} from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";
import { ApiError } from "../status/mod.ts";
import { newState, type RequestState } from "./chain.ts";
import { hasImpersonationHeaders, impersonation } from "./impersonation.ts";
import { attributesOf } from "./request_info.ts";
import { parseRequestInfo } from "../routing/request_info.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };

/** An authorizer that records what it is asked and allows per `allow`. */
function fakeAuthorizer(
  allow: (a: AuthorizationAttributes) => boolean,
): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(attrs) {
      asked.push(attrs);
      return Promise.resolve({ allowed: allow(attrs) });
    },
  };
}

/** A state as the request-info filter leaves it. */
function stateOf(
  headers: Record<string, string>,
  cluster = "team-a",
  path = "/api/v1/namespaces/a/configmaps/x",
): RequestState {
  const req = new Request(`http://h/clusters/${cluster}${path}`, { headers });
  const state = newState(req, { user: alice });
  state.cluster = cluster;
  state.path = path;
  state.info = parseRequestInfo("GET", path, new URLSearchParams());
  state.attributes = attributesOf(state.info, alice, cluster);
  return state;
}

/** Runs the filter; returns who next saw as the user and the attributes. */
async function run(
  state: RequestState,
  authorizer: Authorizer,
): Promise<{ user: UserInfo; attributes: AuthorizationAttributes }> {
  let seen: { user: UserInfo; attributes: AuthorizationAttributes } | undefined;
  const res = await impersonation(authorizer, silentLogger)(state, () => {
    seen = { user: state.user, attributes: state.attributes };
    return Promise.resolve(new Response("next"));
  });
  assert.equal(await res.text(), "next");
  return seen!;
}

Deno.test("without Impersonate-* headers the user and attributes stay as they are", async () => {
  const authz = fakeAuthorizer(() => true);
  const state = stateOf({});
  const before = state.attributes;
  const seen = await run(state, authz);
  assert.equal(seen.user, alice);
  assert.equal(seen.attributes, before);
  assert.deepEqual(authz.asked, [], "nothing to authorize");
});

Deno.test("an allowed Impersonate-User replaces the user and the attributes' user", async () => {
  const authz = fakeAuthorizer(() => true);
  const state = stateOf({ "Impersonate-User": "bob" });
  const before = state.attributes;
  const seen = await run(state, authz);
  assert.deepEqual(seen.user, {
    username: "bob",
    groups: ["system:authenticated"],
  });
  assert.equal(state.user, seen.user);
  assert.equal(seen.attributes.user, seen.user);
  // Everything else in the attributes is what request info computed.
  assert.deepEqual({ ...seen.attributes, user: alice }, before);
  assert.equal(before.user, alice, "the old attributes are not mutated");
  // The requestor was checked for `impersonate` in the request's cluster.
  assert.equal(authz.asked.length, 1);
  assert.equal(authz.asked[0].user, alice);
  assert.equal(authz.asked[0].cluster, "team-a");
  assert.equal(authz.asked[0].verb, "impersonate");
  assert.equal(authz.asked[0].resource, "users");
  assert.equal(authz.asked[0].name, "bob");
});

Deno.test("groups, uid and extras are each authorized and applied", async () => {
  const authz = fakeAuthorizer(() => true);
  const state = stateOf({
    "Impersonate-User": "bob",
    "Impersonate-Group": "devs",
    "Impersonate-Uid": "u-1",
    "Impersonate-Extra-Scopes": "view",
  });
  const seen = await run(state, authz);
  assert.deepEqual(seen.user, {
    username: "bob",
    uid: "u-1",
    groups: ["devs", "system:authenticated"],
    extra: { scopes: ["view"] },
  });
  assert.deepEqual(
    authz.asked.map((a) => a.resource),
    ["users", "groups", "userextras", "uids"],
  );
});

Deno.test("impersonating a service account gives it the service account groups", async () => {
  const authz = fakeAuthorizer(() => true);
  const state = stateOf({ "Impersonate-User": "system:serviceaccount:a:bot" });
  const seen = await run(state, authz);
  assert.equal(seen.user.username, "system:serviceaccount:a:bot");
  assert.deepEqual(seen.user.groups, [
    "system:serviceaccounts",
    "system:serviceaccounts:a",
    "system:authenticated",
  ]);
  assert.equal(authz.asked[0].resource, "serviceaccounts");
  assert.equal(authz.asked[0].namespace, "a");
  assert.equal(authz.asked[0].name, "bot");
});

Deno.test("a denied impersonation is a 403 and the chain stops with the user unchanged", async () => {
  const authz = fakeAuthorizer((a) => a.resource !== "groups");
  const state = stateOf({
    "Impersonate-User": "bob",
    "Impersonate-Group": "system:masters",
  });
  const before = state.attributes;
  let nextRan = false;
  const err = await impersonation(authz, silentLogger)(state, () => {
    nextRan = true;
    return Promise.resolve(new Response(null));
  }).then(() => undefined, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 403);
  assert.equal(
    err.message,
    'groups "system:masters" is forbidden: User "alice" cannot impersonate ' +
      'resource "groups" in API group "" at the cluster scope',
  );
  assert.equal(nextRan, false);
  assert.equal(state.user, alice);
  assert.equal(state.attributes, before);
});

Deno.test("a denial's reason from the authorizer is the message", async () => {
  const authz: Authorizer = {
    authorize: () =>
      Promise.resolve({ allowed: false, reason: "no impersonation here" }),
  };
  const err = await impersonation(authz, silentLogger)(
    stateOf({ "Impersonate-User": "bob" }),
    () => Promise.resolve(new Response(null)),
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.message, 'users "bob" is forbidden: no impersonation here');
});

Deno.test("Impersonate-Group without Impersonate-User is a 400 before any check", async () => {
  const authz = fakeAuthorizer(() => true);
  const err = await impersonation(authz, silentLogger)(
    stateOf({ "Impersonate-Group": "devs" }),
    () => Promise.resolve(new Response(null)),
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 400);
  assert.match(err.message, /without impersonating a user/);
  assert.deepEqual(authz.asked, []);
});

Deno.test("Impersonate-Extra-* alone is found too: a 400 without Impersonate-User", async () => {
  const authz = fakeAuthorizer(() => true);
  const err = await impersonation(authz, silentLogger)(
    stateOf({ "Impersonate-Extra-Scopes": "view" }),
    () => Promise.resolve(new Response(null)),
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 400);
  assert.match(err.message, /without impersonating a user/);
});

Deno.test("hasImpersonationHeaders sees any Impersonate-* header, in any case", () => {
  const has = (h: Record<string, string>) =>
    hasImpersonationHeaders(new Headers(h));
  assert.equal(has({}), false);
  assert.equal(has({ authorization: "Bearer x", accept: "*/*" }), false);
  assert.equal(has({ "x-impersonate-user": "bob" }), false);
  assert.equal(has({ "IMPERSONATE-USER": "bob" }), true);
  assert.equal(has({ "Impersonate-Uid": "1" }), true);
  assert.equal(has({ accept: "*/*", "impersonate-extra-a": "b" }), true);
});

Deno.test("impersonation is authorized in the cluster the request names", async () => {
  const authz = fakeAuthorizer((a) => a.cluster === "root");
  const allowed = await run(
    stateOf({ "Impersonate-User": "bob" }, "root"),
    authz,
  );
  assert.equal(allowed.user.username, "bob");
  const err = await impersonation(authz, silentLogger)(
    stateOf({ "Impersonate-User": "bob" }, "other"),
    () => Promise.resolve(new Response(null)),
  ).then(() => undefined, (e) => e);
  assert.ok(err instanceof ApiError);
  assert.equal(err.code, 403);
});
