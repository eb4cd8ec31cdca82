import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";

const base = "/api/v1/namespaces/default/configmaps";

Deno.test("request errors are Status objects with the right codes", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("malformed JSON is 400", async () => {
      const r = await s.request("POST", base, {
        text: "{nope",
        headers: { "content-type": "application/json" },
      });
      assert.equal(r.status, 400);
      assert.equal(r.body.kind, "Status");
      assert.equal(r.body.apiVersion, "v1");
      assert.equal(r.body.status, "Failure");
      assert.equal(r.body.code, 400);
    });
    await t.step("YAML bodies are accepted", async () => {
      const r = await s.request("POST", base, {
        text:
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n",
        headers: { "content-type": "application/yaml" },
      });
      assert.equal(r.status, 201);
      assert.deepEqual(r.body.data, { k: "v" });
    });
    await t.step("an unknown body media type is 415", async () => {
      const r = await s.request("POST", base, {
        text: "x",
        headers: { "content-type": "text/plain" },
      });
      assert.equal(r.status, 415);
    });
    await t.step("bodies over 3 MiB are 413", async () => {
      const r = await s.request("POST", base, {
        body: configMap("big", { a: "x".repeat(3 * 1024 * 1024) }),
      });
      assert.equal(r.status, 413);
      assert.equal(r.body.reason, "RequestEntityTooLarge");
    });
    await t.step("a kind that does not match the URL is 400", async () => {
      const r = await s.request("POST", base, {
        body: { kind: "Secret", apiVersion: "v1", metadata: { name: "x" } },
      });
      assert.equal(r.status, 400);
    });
    await t.step("unknown resources and paths are 404", async () => {
      assert.equal(
        (await s.request("GET", "/api/v1/namespaces/default/pods")).status,
        404,
      );
      assert.equal((await s.request("GET", "/nothing/here")).status, 404);
      assert.equal(
        (await s.request(
          "GET",
          "/api/v1/namespaces/default/configmaps/x/bogus",
        )).status,
        404,
      );
    });
    await t.step("POST to a named object is 405", async () => {
      const r = await s.request("POST", `${base}/x`, { body: configMap("x") });
      assert.equal(r.status, 405);
      assert.equal(r.body.reason, "MethodNotAllowed");
    });
    await t.step(
      "users outside system:masters are forbidden with upstream's message",
      async () => {
        const bob = { username: "bob", groups: ["system:authenticated"] };
        const r = await s.request("GET", base, { user: bob });
        assert.equal(r.status, 403);
        assert.equal(r.body.reason, "Forbidden");
        assert.equal(
          r.body.message,
          'configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"',
        );
        const g = await s.request(
          "GET",
          "/apis/rbac.authorization.k8s.io/v1/clusterroles/x",
          { user: bob },
        );
        assert.equal(
          g.body.message,
          'clusterroles.rbac.authorization.k8s.io "x" is forbidden: User "bob" cannot get resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope',
        );
        const d = await s.request("GET", "/api", { user: bob });
        assert.equal(d.status, 200);
      },
    );
    await t.step(
      "a custom authorizer sees upstream-like attributes",
      async () => {
        const seen: unknown[] = [];
        const s2 = await startTestServer({
          authorizer: {
            authorize(attrs) {
              seen.push({ ...attrs, user: attrs.user.username });
              return Promise.resolve({ allowed: false, reason: "nope" });
            },
          },
        });
        try {
          const r = await s2.request(
            "GET",
            "/clusters/c1/api/v1/namespaces/default/configmaps/x",
          );
          assert.equal(r.status, 403);
          assert.equal(r.body.message, 'configmaps "x" is forbidden: nope');
          assert.deepEqual(seen[0], {
            user: "admin",
            cluster: "c1",
            verb: "get",
            isResourceRequest: true,
            apiGroup: "",
            apiVersion: "v1",
            resource: "configmaps",
            subresource: "",
            namespace: "default",
            name: "x",
          });
        } finally {
          await s2.close();
        }
      },
    );
  } finally {
    await s.close();
  }
});
