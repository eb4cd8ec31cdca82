import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import { ApiError } from "../status/mod.ts";
import { newState, type RequestState } from "./chain.ts";
import { attributesOf, requestInfo } from "./request_info.ts";

const alice: UserInfo = { username: "alice", groups: ["system:authenticated"] };

/**
 * A request whose `url` is `rawUrl` exactly as sent: `Deno.serve` hands the
 * raw target over, but `new Request` would resolve dot segments.
 */
function rawRequest(method: string, rawUrl: string): Request {
  const req = new Request("http://hyperplane.test/", { method });
  Object.defineProperty(req, "url", { value: rawUrl });
  return req;
}

/** Runs the request-info filter; returns the state and whether next ran. */
async function run(
  method: string,
  path: string,
): Promise<{ state: RequestState; nextRan: boolean; res: Response }> {
  const state = newState(rawRequest(method, `http://hyperplane.test${path}`), {
    user: alice,
  });
  let nextRan = false;
  const res = await requestInfo()(state, () => {
    nextRan = true;
    return Promise.resolve(new Response("next"));
  });
  return { state, nextRan, res };
}

/** The ApiError the filter throws for `path` (next never runs). */
async function refusal(method: string, path: string): Promise<ApiError> {
  const state = newState(rawRequest(method, `http://hyperplane.test${path}`), {
    user: alice,
  });
  let nextRan = false;
  try {
    await requestInfo()(state, () => {
      nextRan = true;
      return Promise.resolve(new Response(null));
    });
  } catch (e) {
    assert.equal(nextRan, false);
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail(`${method} ${path} was not refused`);
}

Deno.test("a path without a cluster prefix is cluster root, and next answers", async () => {
  const { state, nextRan, res } = await run(
    "GET",
    "/api/v1/namespaces/a/configmaps/x",
  );
  assert.equal(nextRan, true);
  assert.equal(await res.text(), "next");
  assert.equal(state.cluster, "root");
  assert.equal(state.path, "/api/v1/namespaces/a/configmaps/x");
  assert.equal(state.target.path, "/api/v1/namespaces/a/configmaps/x");
  assert.deepEqual(state.info, {
    isResourceRequest: true,
    group: "",
    version: "v1",
    namespace: "a",
    resource: "configmaps",
    name: "x",
    subresource: "",
    verb: "get",
    watchPath: false,
  });
  assert.deepEqual(state.attributes, {
    user: alice,
    cluster: "root",
    verb: "get",
    isResourceRequest: true,
    apiGroup: "",
    apiVersion: "v1",
    resource: "configmaps",
    subresource: "",
    namespace: "a",
    name: "x",
  });
});

Deno.test("/clusters/<name>/ selects the cluster and strips the prefix", async () => {
  const { state } = await run(
    "POST",
    "/clusters/team-a/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles",
  );
  assert.equal(state.cluster, "team-a");
  assert.equal(
    state.path,
    "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles",
  );
  assert.equal(
    state.target.path,
    "/clusters/team-a/apis/rbac.authorization.k8s.io/v1/namespaces/ns/roles",
  );
  assert.equal(state.attributes.cluster, "team-a");
  assert.equal(state.attributes.verb, "create");
  assert.equal(state.attributes.apiGroup, "rbac.authorization.k8s.io");
  assert.equal(state.attributes.resource, "roles");
  assert.equal(state.attributes.namespace, "ns");
  assert.equal(state.attributes.name, "");
});

Deno.test("/clusters/<name>/control-plane/ selects the cluster as kplane's paths do", async () => {
  const { state } = await run(
    "GET",
    "/clusters/x/control-plane/api/v1/namespaces",
  );
  assert.equal(state.cluster, "x");
  assert.equal(state.path, "/api/v1/namespaces");
  assert.equal(state.info.verb, "list");
  assert.equal(state.attributes.resource, "namespaces");

  const root = await run("GET", "/clusters/x/control-plane");
  assert.equal(root.state.cluster, "x");
  assert.equal(root.state.path, "/");
  assert.equal(root.state.info.isResourceRequest, false);
});

Deno.test("the wildcard cluster `*` is kept for the authorization filter", async () => {
  const { state } = await run("GET", "/clusters/*/api/v1/configmaps");
  assert.equal(state.cluster, "*");
  assert.equal(state.path, "/api/v1/configmaps");
  assert.equal(state.attributes.verb, "list");
});

Deno.test("the query decides watch and is kept on the target", async () => {
  const { state } = await run(
    "GET",
    "/api/v1/namespaces/a/configmaps?watch=true&resourceVersion=5",
  );
  assert.equal(state.info.verb, "watch");
  assert.equal(state.target.query.get("resourceVersion"), "5");
  assert.equal(state.path, "/api/v1/namespaces/a/configmaps");

  const legacy = await run("GET", "/api/v1/watch/namespaces/a/configmaps/x");
  assert.equal(legacy.state.info.verb, "watch");
  assert.equal(legacy.state.attributes.name, "x");
});

Deno.test("non-resource paths carry their path and lower-case method as verb", async () => {
  const { state } = await run("GET", "/version");
  assert.deepEqual(state.attributes, {
    user: alice,
    cluster: "root",
    verb: "get",
    isResourceRequest: false,
    path: "/version",
  });
  const inCluster = await run("POST", "/clusters/c1/openapi/v3");
  assert.equal(inCluster.state.attributes.cluster, "c1");
  assert.equal(inCluster.state.attributes.path, "/openapi/v3");
  assert.equal(inCluster.state.attributes.verb, "post");
});

Deno.test("subresources and the verbs of each method", async () => {
  const token = await run(
    "POST",
    "/api/v1/namespaces/a/serviceaccounts/sa/token",
  );
  assert.equal(token.state.attributes.verb, "create");
  assert.equal(token.state.attributes.subresource, "token");
  const verbs: [string, string, string][] = [
    ["PUT", "/api/v1/namespaces/a/configmaps/x", "update"],
    ["PATCH", "/api/v1/namespaces/a/configmaps/x", "patch"],
    ["DELETE", "/api/v1/namespaces/a/configmaps/x", "delete"],
    ["DELETE", "/api/v1/namespaces/a/configmaps", "deletecollection"],
    ["HEAD", "/api/v1/namespaces/a/configmaps/x", "get"],
    ["OPTIONS", "/api/v1/namespaces/a/configmaps/x", ""],
  ];
  for (const [method, path, verb] of verbs) {
    const { state } = await run(method, path);
    assert.equal(state.attributes.verb, verb, `${method} ${path}`);
  }
});

Deno.test("the attributes name the user the chain runs as", async () => {
  const bob: UserInfo = { username: "bob", groups: ["devs"] };
  const state = newState(
    rawRequest("GET", "http://h/api/v1/namespaces/a/configmaps"),
    { user: bob },
  );
  await requestInfo()(state, () => Promise.resolve(new Response(null)));
  assert.equal(state.attributes.user, bob);
});

Deno.test("dot segments are a 404 thrown before next runs, wherever they are", async () => {
  for (
    const path of [
      "/api/v1/namespaces/a/configmaps/x/..",
      "/api/v1/namespaces/a/../b/configmaps",
      "/api/../api/v1/namespaces",
      "/apis/apps/./v1/deployments",
      "/api/v1/namespaces/a/%2e%2e/x",
      "/clusters/x/../api/v1/configmaps",
      "/clusters/x/control-plane/../../root/api/v1/configmaps",
      "/version/..",
      "/./version",
      "/api/v1//configmaps",
    ]
  ) {
    const err = await refusal("GET", path);
    assert.equal(err.code, 404, path);
    assert.equal(err.reason, "NotFound", path);
  }
});

Deno.test("a dot namespace or name is upstream's 400, not a lookup", async () => {
  for (
    const [path, message] of [
      ["/api/v1/namespaces/a/configmaps/..", /Name parameter invalid/],
      ["/api/v1/namespaces/%2E/configmaps", /Namespace parameter invalid/],
      ["/api/v1/namespaces/a/configmaps/a%2Fb", /may not contain '\/'/],
    ] as const
  ) {
    const err = await refusal("GET", path);
    assert.equal(err.code, 400, path);
    assert.match(err.message, message, path);
  }
});

Deno.test("an invalid cluster name is a 400", async () => {
  for (
    const path of ["/clusters/Team_A/api/v1/configmaps", "/clusters/%zz/api"]
  ) {
    const err = await refusal("GET", path);
    assert.equal(err.code, 400, path);
    assert.equal(err.reason, "BadRequest", path);
  }
});

Deno.test("attributesOf copies every field of a resource request", () => {
  const attrs = attributesOf(
    {
      isResourceRequest: true,
      group: "apps",
      version: "v1",
      namespace: "n",
      resource: "deployments",
      name: "d",
      subresource: "scale",
      verb: "update",
      watchPath: false,
    },
    alice,
    "c",
  );
  assert.deepEqual(attrs, {
    user: alice,
    cluster: "c",
    verb: "update",
    isResourceRequest: true,
    apiGroup: "apps",
    apiVersion: "v1",
    resource: "deployments",
    subresource: "scale",
    namespace: "n",
    name: "d",
  });
});
