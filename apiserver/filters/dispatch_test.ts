import assert from "node:assert/strict";
import {
  ADMIN,
  configMap,
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";

/** Runs `body` against a fresh test server (admin: authorization passes). */
async function withServer(
  body: (s: TestServer) => Promise<void>,
): Promise<void> {
  const server = await startTestServer();
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

/** Sends each `[method, path]` and checks the status and reason. */
async function expectAll(
  s: TestServer,
  cases: readonly (readonly [string, string])[],
  code: number,
  reason: string,
): Promise<void> {
  for (const [method, path] of cases) {
    const withBody = method === "POST" || method === "PUT" ||
      method === "PATCH";
    const res = await s.request(
      method,
      path,
      withBody
        ? {
          text: "{}",
          headers: {
            "content-type": method === "PATCH"
              ? "application/merge-patch+json"
              : "application/json",
          },
        }
        : {},
    );
    assert.equal(res.status, code, `${method} ${path}: ${res.status}`);
    assert.equal(res.body.kind, "Status", `${method} ${path}`);
    assert.equal(res.body.reason, reason, `${method} ${path}`);
  }
}

Deno.test("unknown resources and groups are 404", async () => {
  await withServer((s) =>
    expectAll(
      s,
      [
        ["GET", "/api/v1/namespaces/default/widgets"],
        ["GET", "/api/v1/widgets"],
        ["POST", "/api/v1/namespaces/default/widgets"],
        ["GET", "/apis/example.com/v1/widgets"],
        ["GET", "/apis/apps/v1/namespaces/default/deployments"],
        ["GET", "/api/v2/namespaces/default/configmaps"],
        ["DELETE", "/apis/rbac.authorization.k8s.io/v2/clusterroles/x"],
      ],
      404,
      "NotFound",
    )
  );
});

Deno.test("paths that name nothing are 404: unknown subresources, wrong scope, non-resource", async () => {
  await withServer((s) =>
    expectAll(
      s,
      [
        ["GET", "/api/v1/namespaces/default/configmaps/x/status"],
        ["POST", "/api/v1/namespaces/default/configmaps/x/status"],
        ["GET", "/api/v1/watch/namespaces/default/configmaps/x/status"],
        // A cluster-scoped kind under a namespace.
        ["GET", "/api/v1/namespaces/default/namespaces"],
        [
          "GET",
          "/apis/rbac.authorization.k8s.io/v1/namespaces/default/clusterroles",
        ],
        // A namespaced kind's item without a namespace.
        ["GET", "/api/v1/configmaps/x"],
        ["GET", "/nowhere"],
        ["GET", "/apis/apps"],
      ],
      404,
      "NotFound",
    )
  );
});

Deno.test("a verb the path shape does not serve is 405", async () => {
  await withServer((s) =>
    expectAll(
      s,
      [
        // All namespaces: list and watch only.
        ["POST", "/api/v1/configmaps"],
        ["DELETE", "/api/v1/configmaps"],
        // Collection: no update or patch.
        ["PUT", "/api/v1/namespaces/default/configmaps"],
        ["PATCH", "/api/v1/namespaces/default/configmaps"],
        // Item: no create.
        ["POST", "/api/v1/namespaces/default/configmaps/x"],
        // Legacy watch paths: watch only.
        ["POST", "/api/v1/watch/namespaces/default/configmaps"],
        // A kind without deletecollection.
        ["DELETE", "/api/v1/namespaces"],
        // A create-only subresource.
        ["GET", "/api/v1/namespaces/default/serviceaccounts/default/token"],
        // A method that names no verb.
        ["OPTIONS", "/api/v1/namespaces/default/configmaps"],
        // Non-resource paths served for GET only.
        ["POST", "/openapi/v2"],
      ],
      405,
      "MethodNotAllowed",
    )
  );
});

Deno.test("a create-only review answers 405 at its collection and 404 where it has no route", async () => {
  await withServer(async (s) => {
    const ssar = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    await expectAll(
      s,
      [
        ["GET", ssar],
        ["DELETE", ssar],
        ["PUT", ssar],
      ],
      405,
      "MethodNotAllowed",
    );
    await expectAll(
      s,
      [
        // The item path of a create-only review.
        ["POST", `${ssar}/x`],
        ["GET", `${ssar}/x`],
        ["DELETE", `${ssar}/x`],
        // A cluster-scoped review under a namespace.
        [
          "POST",
          "/apis/authorization.k8s.io/v1/namespaces/a/selfsubjectaccessreviews",
        ],
        // A namespaced review without one.
        ["POST", "/apis/authorization.k8s.io/v1/localsubjectaccessreviews"],
        // Reviews have no subresources and no watch paths.
        ["POST", `${ssar}/x/status`],
        ["GET", "/apis/authorization.k8s.io/v1/watch/selfsubjectaccessreviews"],
      ],
      404,
      "NotFound",
    );
  });
});

Deno.test("a create-only review is served at its collection", async () => {
  await withServer(async (s) => {
    const res = await s.request(
      "POST",
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      {
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: {
            resourceAttributes: {
              verb: "get",
              resource: "configmaps",
              namespace: "default",
            },
          },
        },
      },
    );
    assert.equal(res.status, 201);
    assert.equal(res.body.status.allowed, true);
  });
});

Deno.test("served verbs reach their handler; a missing object names its kind", async () => {
  await withServer(async (s) => {
    const created = await s.request(
      "POST",
      "/api/v1/namespaces/default/configmaps",
      { body: configMap("x", { k: "v" }) },
    );
    assert.equal(created.status, 201);
    const got = await s.request(
      "GET",
      "/api/v1/namespaces/default/configmaps/x",
    );
    assert.equal(got.status, 200);
    assert.equal(got.body.data.k, "v");
    const all = await s.request("GET", "/api/v1/configmaps");
    assert.equal(all.status, 200);
    assert.equal(all.body.kind, "ConfigMapList");
    // The subject dispatch records names the kind in storage errors.
    const missing = await s.request(
      "GET",
      "/api/v1/namespaces/default/configmaps/nope",
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'configmaps "nope" not found');
    assert.deepEqual(missing.body.details, {
      name: "nope",
      kind: "configmaps",
    });
  });
});

Deno.test("dispatch labels served requests by resource and leaves unknown ones unlabelled", async () => {
  await withServer(async (s) => {
    await s.request("GET", "/api/v1/namespaces/default/configmaps/nope");
    await s.request("GET", "/api/v1/namespaces/default/widgets");
    const metrics = await s.request("GET", "/metrics", { user: ADMIN });
    const lines = (metrics.body as string).split("\n").filter((l) =>
      l.startsWith("apiserver_request_total{")
    );
    assert.ok(
      lines.some((l) =>
        l.includes('resource="configmaps"') && l.includes('code="404"') &&
        l.includes('verb="GET"') && l.includes('scope="resource"')
      ),
      lines.join("\n"),
    );
    assert.ok(
      !lines.some((l) => l.includes('resource="widgets"')),
      "an unknown resource is no label value",
    );
  });
});
