import assert from "node:assert/strict";
import type {
  AuthorizationAttributes,
  Authorizer,
} from "../authz/authorizer.ts";
import type { UserInfo } from "../request_context.ts";
import { rawTarget } from "../routing/raw_target.ts";
import { splitClusterPath } from "../routing/cluster.ts";
import { parseRequestInfo } from "../routing/request_info.ts";
import { CROSS_CLUSTER_READERS } from "../routing/wildcard.ts";
import { ApiError } from "../status/mod.ts";
import { newState, type RequestState } from "./chain.ts";
import { authorization } from "./authorization.ts";
import { attributesOf } from "./request_info.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };
const master: UserInfo = {
  username: "admin",
  groups: ["system:masters", "system:authenticated"],
};
const reader: UserInfo = {
  username: "system:kube-controller-manager",
  groups: [CROSS_CLUSTER_READERS, "system:authenticated"],
};

/** An authorizer that records what it is asked and answers `answer`. */
function fakeAuthorizer(
  answer: (a: AuthorizationAttributes) => { allowed: boolean; reason?: string },
): Authorizer & { asked: AuthorizationAttributes[] } {
  const asked: AuthorizationAttributes[] = [];
  return {
    asked,
    authorize(attrs) {
      asked.push(attrs);
      return Promise.resolve(answer(attrs));
    },
  };
}

const ALLOW = fakeAuthorizer(() => ({ allowed: true }));
const DENY = () => fakeAuthorizer(() => ({ allowed: false }));

/** A state as the request-info and impersonation filters leave it. */
function stateOf(method: string, url: string, user = alice): RequestState {
  const state = newState(new Request(`http://h${url}`, { method }), { user });
  state.target = rawTarget(`http://h${url}`);
  const { cluster, path } = splitClusterPath(state.target.path);
  state.cluster = cluster;
  state.path = path;
  state.info = parseRequestInfo(method, path, state.target.query);
  state.attributes = attributesOf(state.info, user, cluster);
  return state;
}

/** Runs the filter: "next" when it passed, else the ApiError thrown. */
async function decide(
  state: RequestState,
  authorizer: Authorizer,
): Promise<"next" | ApiError> {
  try {
    const res = await authorization(authorizer)(
      state,
      () => Promise.resolve(new Response("next")),
    );
    return await res.text() as "next";
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
}

function forbidden(outcome: "next" | ApiError): ApiError {
  assert.ok(outcome instanceof ApiError, "expected a refusal");
  assert.equal(outcome.code, 403);
  assert.equal(outcome.reason, "Forbidden");
  return outcome;
}

Deno.test("an allowed request goes on; the authorizer sees the state's attributes", async () => {
  const authz = fakeAuthorizer(() => ({ allowed: true }));
  const state = stateOf("GET", "/clusters/c1/api/v1/namespaces/a/configmaps/x");
  assert.equal(await decide(state, authz), "next");
  assert.equal(authz.asked.length, 1);
  assert.equal(authz.asked[0], state.attributes);
  assert.equal(authz.asked[0].cluster, "c1");
});

Deno.test("a denied resource request is a 403 with upstream's message and details", async () => {
  const err = forbidden(
    await decide(
      stateOf("GET", "/api/v1/namespaces/a/configmaps/x"),
      DENY(),
    ),
  );
  assert.equal(
    err.message,
    'configmaps "x" is forbidden: User "alice" cannot get resource ' +
      '"configmaps" in API group "" in the namespace "a"',
  );
  assert.deepEqual(err.toStatus().details, { name: "x", kind: "configmaps" });
});

Deno.test("a denied list, cluster-scoped or grouped request names what upstream names", async () => {
  const cases: [string, string, string][] = [
    [
      "GET",
      "/api/v1/namespaces/a/configmaps",
      'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "a"',
    ],
    [
      "GET",
      "/api/v1/configmaps?watch=1",
      'configmaps is forbidden: User "alice" cannot watch resource "configmaps" in API group "" at the cluster scope',
    ],
    [
      "DELETE",
      "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin",
      'clusterroles.rbac.authorization.k8s.io "admin" is forbidden: User "alice" cannot delete resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
    ],
    [
      "POST",
      "/api/v1/namespaces/a/serviceaccounts/default/token",
      'serviceaccounts "default" is forbidden: User "alice" cannot create resource "serviceaccounts/token" in API group "" in the namespace "a"',
    ],
  ];
  for (const [method, url, message] of cases) {
    const err = forbidden(await decide(stateOf(method, url), DENY()));
    assert.equal(err.message, message, `${method} ${url}`);
  }
});

Deno.test("the authorizer's reason replaces the default text", async () => {
  const authz = fakeAuthorizer(() => ({
    allowed: false,
    reason: 'RBAC: role.rbac.authorization.k8s.io "r" not found',
  }));
  const err = forbidden(
    await decide(stateOf("GET", "/api/v1/namespaces/a/configmaps/x"), authz),
  );
  assert.equal(
    err.message,
    'configmaps "x" is forbidden: RBAC: role.rbac.authorization.k8s.io "r" not found',
  );
});

Deno.test("a denied non-resource request is upstream's `forbidden: … path` 403", async () => {
  const err = forbidden(await decide(stateOf("GET", "/metrics"), DENY()));
  assert.equal(
    err.message,
    'forbidden: User "alice" cannot get path "/metrics"',
  );
  assert.equal(err.toStatus().details?.name, undefined);
  const post = forbidden(
    await decide(stateOf("POST", "/clusters/c1/version"), DENY()),
  );
  assert.equal(
    post.message,
    'forbidden: User "alice" cannot post path "/version"',
  );
});

Deno.test("across clusters `*`, list and watch pass for system:masters without the authorizer", async () => {
  const authz = DENY();
  for (
    const url of [
      "/clusters/*/api/v1/configmaps",
      "/clusters/*/api/v1/configmaps?watch=true",
      "/clusters/*/api/v1/namespaces/a/configmaps",
      "/clusters/*/apis/rbac.authorization.k8s.io/v1/roles",
    ]
  ) {
    assert.equal(await decide(stateOf("GET", url, master), authz), "next", url);
  }
  assert.deepEqual(authz.asked, [], "no cluster's RBAC decides `*`");
});

Deno.test("across clusters, the cross-cluster readers group may list and watch", async () => {
  for (
    const url of [
      "/clusters/*/api/v1/secrets",
      "/clusters/*/api/v1/secrets?watch=1",
    ]
  ) {
    assert.equal(await decide(stateOf("GET", url, reader), ALLOW), "next");
  }
});

Deno.test("across clusters, anyone else is refused even when the authorizer would allow", async () => {
  const err = forbidden(
    await decide(stateOf("GET", "/clusters/*/api/v1/configmaps"), ALLOW),
  );
  assert.equal(
    err.message,
    'configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" across clusters',
  );
  const bob: UserInfo = { username: "bob", groups: ["system:authenticated"] };
  forbidden(
    await decide(
      stateOf("GET", "/clusters/*/apis/apps/v1/deployments?watch=1", bob),
      ALLOW,
    ),
  );
});

Deno.test("across clusters, other verbs are 405 and subresources 404, for masters too", async () => {
  const cases: [string, string, number][] = [
    ["GET", "/clusters/*/api/v1/namespaces/a/configmaps/x", 405],
    ["POST", "/clusters/*/api/v1/namespaces/a/configmaps", 405],
    ["DELETE", "/clusters/*/api/v1/namespaces/a/configmaps", 405],
    ["PUT", "/clusters/*/api/v1/namespaces/a/configmaps/x", 405],
    ["GET", "/clusters/*/api/v1/namespaces/a/configmaps/x/status", 404],
  ];
  for (const [method, url, code] of cases) {
    for (const user of [master, reader, alice]) {
      const out = await decide(stateOf(method, url, user), ALLOW);
      assert.ok(out instanceof ApiError, `${method} ${url}`);
      assert.equal(out.code, code, `${method} ${url} as ${user.username}`);
    }
  }
});

Deno.test("across clusters, discovery GETs pass for everyone; other methods are 405", async () => {
  const authz = DENY();
  for (
    const url of ["/clusters/*/api", "/clusters/*/apis", "/clusters/*/api/v1"]
  ) {
    assert.equal(await decide(stateOf("GET", url, alice), authz), "next", url);
  }
  assert.deepEqual(authz.asked, []);
  const post = await decide(stateOf("POST", "/clusters/*/apis", alice), authz);
  assert.ok(post instanceof ApiError);
  assert.equal(post.code, 405);
});
