import assert from "node:assert/strict";
import { ApiError } from "../status/mod.ts";
import {
  parseRequestInfo,
  pathSegments,
  type RequestInfo,
  type ResourceRequestInfo,
} from "./request_info.ts";
import { splitClusterPath } from "./cluster.ts";

const NO_QUERY = new URLSearchParams();

function parse(method: string, path: string, query = ""): RequestInfo {
  return parseRequestInfo(method, path, new URLSearchParams(query));
}

function resource(
  method: string,
  path: string,
  query = "",
): ResourceRequestInfo {
  const info = parse(method, path, query);
  assert.ok(info.isResourceRequest, `${path} is a resource request`);
  return info;
}

/** The code and message of the ApiError `fn` throws. */
function refusal(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, `an ApiError, got ${e}`);
    return { code: e.code, message: e.message };
  }
  assert.fail("expected an ApiError");
}

Deno.test("a namespaced item path names group, version, namespace, resource and name", () => {
  assert.deepEqual(resource("GET", "/api/v1/namespaces/a/configmaps/b"), {
    isResourceRequest: true,
    group: "",
    version: "v1",
    namespace: "a",
    resource: "configmaps",
    name: "b",
    subresource: "",
    verb: "get",
    watchPath: false,
  });
  const crd = resource(
    "PATCH",
    "/apis/example.com/v1/namespaces/a/widgets/w/status",
  );
  assert.equal(crd.group, "example.com");
  assert.equal(crd.version, "v1");
  assert.equal(crd.subresource, "status");
  assert.equal(crd.verb, "patch");
});

Deno.test("each method maps to upstream's verb", () => {
  const item = "/api/v1/namespaces/a/configmaps/b";
  const coll = "/api/v1/namespaces/a/configmaps";
  assert.equal(resource("GET", item).verb, "get");
  assert.equal(resource("HEAD", item).verb, "get");
  assert.equal(resource("GET", coll).verb, "list");
  assert.equal(resource("HEAD", coll).verb, "list");
  assert.equal(resource("GET", coll, "watch=true").verb, "watch");
  assert.equal(resource("GET", coll, "watch=1").verb, "watch");
  assert.equal(resource("GET", coll, "watch=false").verb, "list");
  assert.equal(resource("GET", coll, "watch=True").verb, "watch");
  assert.equal(resource("GET", coll, "watch=").verb, "watch");
  assert.equal(resource("GET", coll, "watch=FALSE").verb, "list");
  assert.equal(resource("GET", coll, "watch=0").verb, "list");
  assert.equal(resource("POST", coll).verb, "create");
  assert.equal(resource("PUT", item).verb, "update");
  assert.equal(resource("PATCH", item).verb, "patch");
  assert.equal(resource("DELETE", item).verb, "delete");
  assert.equal(resource("DELETE", coll).verb, "deletecollection");
});

Deno.test("a method that is not an HTTP verb of the API names no verb, whatever its spelling", () => {
  // Upstream leaves the verb empty, so the request is refused (405): a
  // method spelled like a Kubernetes verb must never reach that verb.
  const item = "/api/v1/namespaces/a/configmaps/b";
  const coll = "/api/v1/namespaces/a/configmaps";
  for (
    const method of [
      "OPTIONS",
      "FOO",
      "get",
      "delete",
      "post",
      "DELETECOLLECTION",
      "deletecollection",
      "CREATE",
      "UPDATE",
      "LIST",
      "WATCH",
      "Delete",
    ]
  ) {
    assert.equal(resource(method, item).verb, "", `${method} item`);
    assert.equal(resource(method, coll).verb, "", `${method} collection`);
  }
});

Deno.test("a non-resource request keeps the lower-cased method as its verb", () => {
  for (const path of ["/", "/api", "/apis", "/version", "/readyz", "/api/v1"]) {
    const info = parse("GET", path);
    assert.deepEqual(info, { isResourceRequest: false, path, verb: "get" });
  }
  assert.equal(parse("OPTIONS", "/healthz").verb, "options");
  assert.equal(parse("GET", "/apis/example.com").isResourceRequest, false);
  assert.equal(parse("GET", "/apis/example.com/v1").isResourceRequest, false);
});

Deno.test("legacy /watch/ paths are watches of a collection or of one item", () => {
  const coll = resource("GET", "/api/v1/watch/namespaces/a/configmaps");
  assert.equal(coll.verb, "watch");
  assert.equal(coll.watchPath, true);
  assert.equal(coll.namespace, "a");
  assert.equal(coll.resource, "configmaps");
  const item = resource("GET", "/api/v1/watch/namespaces/a/configmaps/b");
  assert.equal(item.verb, "watch");
  assert.equal(item.name, "b");
  const all = resource("GET", "/apis/rbac.authorization.k8s.io/v1/watch/roles");
  assert.equal(all.verb, "watch");
  assert.equal(all.namespace, "");
  const ns = resource("GET", "/api/v1/watch/namespaces");
  assert.equal(ns.resource, "namespaces");
  assert.equal(ns.verb, "watch");
  const one = resource("GET", "/api/v1/watch/namespaces/a");
  assert.equal(one.resource, "namespaces");
  assert.equal(one.name, "a");
  assert.equal(one.verb, "watch");
  // A non-GET on a watch path keeps its method's verb (routing refuses it).
  assert.equal(
    resource("DELETE", "/api/v1/watch/namespaces/a/configmaps").verb,
    "deletecollection",
  );
});

Deno.test("namespace paths: the object, its status and finalize subresources", () => {
  const ns = resource("GET", "/api/v1/namespaces/a");
  assert.equal(ns.resource, "namespaces");
  assert.equal(ns.namespace, "a");
  assert.equal(ns.name, "a");
  assert.equal(ns.subresource, "");
  for (const sub of ["status", "finalize"]) {
    const info = resource("PUT", `/api/v1/namespaces/a/${sub}`);
    assert.equal(info.resource, "namespaces");
    assert.equal(info.name, "a");
    assert.equal(info.namespace, "a");
    assert.equal(info.subresource, sub);
    assert.equal(info.verb, "update");
  }
  const list = resource("GET", "/api/v1/namespaces");
  assert.equal(list.verb, "list");
  assert.equal(list.namespace, "");
  assert.equal(list.name, "");
  assert.equal(
    resource("DELETE", "/api/v1/namespaces").verb,
    "deletecollection",
  );
  // Any other third segment is a resource inside the namespace.
  const cms = resource("GET", "/api/v1/namespaces/a/configmaps");
  assert.equal(cms.resource, "configmaps");
  assert.equal(cms.namespace, "a");
});

Deno.test("a single trailing slash is allowed", () => {
  assert.equal(
    resource("GET", "/api/v1/namespaces/a/configmaps/").verb,
    "list",
  );
  const item = resource("GET", "/api/v1/namespaces/a/configmaps/b/");
  assert.equal(item.name, "b");
  assert.equal(item.verb, "get");
  assert.equal(parse("GET", "/api/").isResourceRequest, false);
});

Deno.test("empty segments anywhere are 404", () => {
  for (
    const path of [
      "//api/v1/namespaces",
      "/api//v1/namespaces",
      "/api/v1//namespaces",
      "/api/v1/namespaces//configmaps",
      "/api/v1/namespaces/a//configmaps",
      "/api/v1/namespaces/a/configmaps//b",
      "/api/v1/namespaces/a/configmaps/b//",
      "/apis//v1/x",
      "/apis/g//x",
      "/api/v1/watch//namespaces",
      "//",
      "/version//",
    ]
  ) {
    assert.equal(refusal(() => parse("GET", path)).code, 404, path);
  }
});

Deno.test("a path must start with a slash", () => {
  assert.equal(refusal(() => parse("GET", "api/v1")).code, 404);
  assert.equal(refusal(() => parse("GET", "")).code, 404);
});

/** Every segment position of a namespaced subresource path. */
const POSITIONS = [
  "/{}/v1/namespaces/a/configmaps/b/status",
  "/api/{}/namespaces/a/configmaps/b/status",
  "/api/v1/{}/a/configmaps/b/status",
  "/api/v1/namespaces/{}/configmaps/b/status",
  "/api/v1/namespaces/a/{}/b/status",
  "/api/v1/namespaces/a/configmaps/{}/status",
  "/api/v1/namespaces/a/configmaps/b/{}",
  "/api/v1/namespaces/a/configmaps/b/status/{}",
  "/apis/{}/v1/widgets/w",
  "/apis/example.com/{}/widgets/w",
  "/apis/example.com/v1/{}/w",
  "/apis/example.com/v1/widgets/{}",
  "/api/v1/watch/{}/configmaps",
  "/api/v1/{}/namespaces/a/configmaps",
  "/{}",
  "/{}/api/v1",
  "/version/{}",
];

Deno.test("dot segments are refused in every position, never resolved", () => {
  for (
    const dot of [".", "..", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e."]
  ) {
    for (const shape of POSITIONS) {
      const path = shape.replace("{}", dot);
      for (const method of ["GET", "DELETE", "PUT", "POST", "PATCH"]) {
        let info: RequestInfo | undefined;
        let err: { code: number; message: string } | undefined;
        try {
          info = parse(method, path);
        } catch {
          err = refusal(() => parse(method, path));
        }
        assert.ok(
          err && (err.code === 400 || err.code === 404),
          `${method} ${path} must be refused, got ${JSON.stringify(info)}`,
        );
      }
    }
  }
});

Deno.test("a dot name or namespace is 400 with upstream's message", () => {
  const cases: [string, string][] = [
    [
      "/api/v1/namespaces/a/configmaps/..",
      `Name parameter invalid: "..": may not be '..'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/.",
      `Name parameter invalid: ".": may not be '.'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/%2e%2e",
      `Name parameter invalid: "..": may not be '..'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/%2E%2E/",
      `Name parameter invalid: "..": may not be '..'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/../configmaps",
      `Name parameter invalid: "..": may not be '..'`,
    ],
    [
      "/api/v1/namespaces/../configmaps/b",
      `Namespace parameter invalid: "..": may not be '..'`,
    ],
    [
      "/api/v1/namespaces/%2e/configmaps",
      `Namespace parameter invalid: ".": may not be '.'`,
    ],
    [
      "/apis/example.com/v1/namespaces/a/widgets/../status",
      `Name parameter invalid: "..": may not be '..'`,
    ],
  ];
  for (const [path, message] of cases) {
    for (const method of ["GET", "DELETE", "PUT", "PATCH"]) {
      assert.deepEqual(refusal(() => parse(method, path)), {
        code: 400,
        message,
      }, `${method} ${path}`);
    }
  }
});

Deno.test("a dot path never names the namespace or collection it would resolve to", () => {
  // `/namespaces/a/configmaps/..` resolves to `/namespaces/a`: refused.
  for (
    const path of [
      "/api/v1/namespaces/a/configmaps/..",
      "/api/v1/namespaces/a/configmaps/b/..",
      "/api/v1/namespaces/a/configmaps/b/../..",
      "/api/v1/namespaces/a/..",
      "/api/v1/namespaces/a/%2e%2e",
    ]
  ) {
    assert.ok(
      [400, 404].includes(refusal(() => parse("DELETE", path)).code),
      path,
    );
  }
});

Deno.test("an encoded slash or percent in a name or namespace is 400", () => {
  const cases: [string, string][] = [
    [
      "/api/v1/namespaces/a/configmaps/a%2Fb",
      `Name parameter invalid: "a/b": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/a%2fb",
      `Name parameter invalid: "a/b": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/%2F",
      `Name parameter invalid: "/": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a%2Fb/configmaps",
      `Namespace parameter invalid: "a/b": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a%2Fb/configmaps/c",
      `Namespace parameter invalid: "a/b": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a%2Fb",
      `Namespace parameter invalid: "a/b": may not contain '/'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/a%25b",
      `Name parameter invalid: "a%b": may not contain '%'`,
    ],
    [
      "/api/v1/namespaces/a/configmaps/%2F%25",
      `Name parameter invalid: "/%": may not contain '/';may not contain '%'`,
    ],
    [
      "/api/v1/watch/namespaces/a/configmaps/a%2Fb",
      `Name parameter invalid: "a/b": may not contain '/'`,
    ],
  ];
  for (const [path, message] of cases) {
    assert.deepEqual(
      refusal(() => parse("GET", path)),
      { code: 400, message },
      path,
    );
  }
  // An encoded slash never splits a segment: `%2F` stays inside the name.
  assert.equal(
    refusal(() =>
      parse("DELETE", "/api/v1/namespaces/a/configmaps/..%2Fconfigmaps")
    ).code,
    400,
  );
});

Deno.test("a malformed escape is 400 wherever it is", () => {
  for (
    const path of [
      "/api/v1/namespaces/a/configmaps/a%zz",
      "/api/v1/namespaces/a/configmaps/%",
      "/api/v1/namespaces/a/configmaps/%2",
      "/api/v1/namespaces/%zz/configmaps",
      "/api/v1/namespaces/a/con%figmaps",
      "/apis/ex%ample.com/v1/widgets",
      "/api/v1/namespaces/a/configmaps/%C3%28",
      "/version/%",
    ]
  ) {
    const err = refusal(() => parse("GET", path));
    assert.equal(err.code, 400, path);
    assert.match(err.message, /^invalid escape in the request path: /, path);
  }
});

Deno.test("encoded ordinary characters decode to the name they spell", () => {
  const info = resource("GET", "/api/v1/namespaces/%61/configmaps/%62%2Dc");
  assert.equal(info.namespace, "a");
  assert.equal(info.name, "b-c");
  assert.equal(
    resource("GET", "/api/v1/namespaces/a/configmaps/a%20b").name,
    "a b",
  );
});

Deno.test("extra segments after a subresource are 404", () => {
  assert.equal(
    refusal(() => parse("GET", "/api/v1/namespaces/a/configmaps/b/status/x"))
      .code,
    404,
  );
  assert.equal(
    refusal(() => parse("GET", "/api/v1/namespaces/a/finalize/x")).code,
    404,
  );
});

Deno.test("pathSegments decodes each segment alone and drops one trailing slash", () => {
  assert.deepEqual(pathSegments("/a/b%2Fc/%2e%2e/"), ["a", "b/c", ".."]);
  assert.deepEqual(pathSegments("/"), []);
  assert.equal(refusal(() => pathSegments("/a//")).code, 404);
  assert.equal(refusal(() => pathSegments("/a%")).code, 400);
});

Deno.test("a cluster prefix with a malformed escape or a dot name is 400, not a 500", () => {
  for (
    const path of [
      "/clusters/%zz/api/v1/namespaces",
      "/clusters/%/api",
      "/clusters/a%2/api",
      "/clusters/%2e%2e/api/v1/namespaces",
      "/clusters/../api/v1/namespaces",
      "/clusters/./api",
      "/clusters/a%2Fb/api",
      "/clusters//api/v1",
      "/clusters/UPPER/api",
    ]
  ) {
    assert.equal(refusal(() => splitClusterPath(path)).code, 400, path);
  }
  assert.deepEqual(splitClusterPath("/clusters/team-a/api/v1"), {
    cluster: "team-a",
    path: "/api/v1",
  });
  assert.deepEqual(splitClusterPath("/clusters/team%2Da/control-plane/api"), {
    cluster: "team-a",
    path: "/api",
  });
  // The rest of the path stays raw for request info to judge.
  assert.deepEqual(splitClusterPath("/clusters/t/api/v1/namespaces/../x"), {
    cluster: "t",
    path: "/api/v1/namespaces/../x",
  });
  assert.equal(splitClusterPath("/api/v1/../x").path, "/api/v1/../x");
  assert.equal(splitClusterPath("/clusters/t").path, "/");
});

Deno.test("parseRequestInfo takes the query only to tell watch from list", () => {
  const info = parseRequestInfo(
    "GET",
    "/api/v1/namespaces/a/configmaps",
    NO_QUERY,
  );
  assert.ok(info.isResourceRequest);
  assert.equal(info.verb, "list");
});
