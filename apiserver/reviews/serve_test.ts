import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const AUTHN = "/apis/authentication.k8s.io/v1";
const AUTHZ = "/apis/authorization.k8s.io/v1";

const ALICE: UserInfo = {
  username: "alice",
  uid: "u-1",
  groups: ["devs", "system:authenticated"],
  extra: { scopes: ["a"] },
};

Deno.test("review resources", async (t) => {
  const server = await startTestServer();
  try {
    await t.step(
      "a SelfSubjectReview returns the caller's user info",
      async () => {
        const res = await server.request(
          "POST",
          `${AUTHN}/selfsubjectreviews`,
          {
            body: {
              apiVersion: "authentication.k8s.io/v1",
              kind: "SelfSubjectReview",
            },
            user: ALICE,
          },
        );
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.kind, "SelfSubjectReview");
        assert.deepEqual(res.body.status.userInfo, {
          username: "alice",
          uid: "u-1",
          groups: ["devs", "system:authenticated"],
          extra: { scopes: ["a"] },
        });
      },
    );

    await t.step(
      "a SelfSubjectAccessReview is evaluated by the authorizer",
      async () => {
        const review = (verb: string, user?: UserInfo) =>
          server.request("POST", `${AUTHZ}/selfsubjectaccessreviews`, {
            body: {
              apiVersion: "authorization.k8s.io/v1",
              kind: "SelfSubjectAccessReview",
              spec: {
                resourceAttributes: {
                  namespace: "default",
                  verb,
                  resource: "configmaps",
                },
              },
            },
            user,
          });
        const admin = await review("create");
        assert.equal(admin.status, 201);
        assert.equal(admin.body.status.allowed, true);
        assert.equal(admin.body.spec.resourceAttributes.verb, "create");
        const alice = await review("create", ALICE);
        assert.equal(alice.status, 201, JSON.stringify(alice.body));
        assert.equal(alice.body.status.allowed, false);
      },
    );

    await t.step("non-resource attributes are evaluated too", async () => {
      const res = await server.request(
        "POST",
        `${AUTHZ}/selfsubjectaccessreviews`,
        {
          body: {
            spec: { nonResourceAttributes: { path: "/version", verb: "get" } },
          },
          user: ALICE,
        },
      );
      assert.equal(res.status, 201);
      assert.equal(res.body.status.allowed, true);
    });

    await t.step("a review without attributes is 422", async () => {
      const res = await server.request(
        "POST",
        `${AUTHZ}/selfsubjectaccessreviews`,
        { body: { spec: {} } },
      );
      assert.equal(res.status, 422);
      assert.match(
        res.body.message,
        /exactly one of nonResourceAttributes or resourceAttributes must be specified/,
      );
    });

    await t.step("a SubjectAccessReview asks about another user", async () => {
      const res = await server.request(
        "POST",
        `${AUTHZ}/subjectaccessreviews`,
        {
          body: {
            spec: {
              user: "bob",
              groups: ["system:masters"],
              resourceAttributes: { verb: "delete", resource: "secrets" },
            },
          },
        },
      );
      assert.equal(res.status, 201);
      assert.equal(res.body.status.allowed, true);
      const denied = await server.request(
        "POST",
        `${AUTHZ}/subjectaccessreviews`,
        {
          body: {
            spec: { resourceAttributes: { verb: "delete" } },
          },
        },
      );
      assert.equal(denied.status, 422);
    });

    await t.step("only admins may create a SubjectAccessReview", async () => {
      const res = await server.request(
        "POST",
        `${AUTHZ}/subjectaccessreviews`,
        {
          body: {
            spec: { user: "x", resourceAttributes: { verb: "get" } },
          },
          user: ALICE,
        },
      );
      assert.equal(res.status, 403);
    });

    await t.step(
      "a LocalSubjectAccessReview must name its namespace",
      async () => {
        const path = `${AUTHZ}/namespaces/default/localsubjectaccessreviews`;
        const ok = await server.request("POST", path, {
          body: {
            spec: {
              user: "bob",
              resourceAttributes: { namespace: "default", verb: "get" },
            },
          },
        });
        assert.equal(ok.status, 201);
        assert.equal(ok.body.metadata.namespace, "default");
        const bad = await server.request("POST", path, {
          body: {
            spec: {
              user: "bob",
              resourceAttributes: { namespace: "other", verb: "get" },
            },
          },
        });
        assert.equal(bad.status, 422);
      },
    );

    await t.step(
      "a SelfSubjectRulesReview lists the caller's rules",
      async () => {
        const admin = await server.request(
          "POST",
          `${AUTHZ}/selfsubjectrulesreviews`,
          { body: { spec: { namespace: "default" } } },
        );
        assert.equal(admin.status, 201);
        // As upstream: the rules of every binding (cluster-admin for
        // system:masters, then the roles of system:authenticated).
        assert.deepEqual(admin.body.status.resourceRules[0], {
          verbs: ["*"],
          apiGroups: ["*"],
          resources: ["*"],
        });
        assert.equal(admin.body.status.incomplete, false);
        const alice = await server.request(
          "POST",
          `${AUTHZ}/selfsubjectrulesreviews`,
          { body: { spec: { namespace: "default" } }, user: ALICE },
        );
        assert.equal(alice.status, 201);
        const urls = alice.body.status.nonResourceRules.flatMap((
          r: { nonResourceURLs: string[] },
        ) => r.nonResourceURLs);
        assert.ok(urls.includes("/version"), JSON.stringify(urls));
        assert.ok(
          alice.body.status.resourceRules.some((r: { resources: string[] }) =>
            r.resources.includes("selfsubjectaccessreviews")
          ),
        );
      },
    );

    await t.step("discovery lists the review resources", async () => {
      const groups = await server.request("GET", "/apis");
      const names = groups.body.groups.map((g: { name: string }) => g.name);
      assert.ok(names.includes("authentication.k8s.io"));
      assert.ok(names.includes("authorization.k8s.io"));
      const list = await server.request("GET", AUTHZ);
      assert.equal(list.status, 200);
      const ssar = list.body.resources.find((r: { name: string }) =>
        r.name === "selfsubjectaccessreviews"
      );
      assert.deepEqual(ssar.verbs, ["create"]);
      const group = await server.request("GET", "/apis/authentication.k8s.io");
      assert.equal(group.body.preferredVersion.version, "v1");
      const agg = await server.request("GET", "/apis", {
        headers: {
          accept:
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
        },
      });
      const authn = agg.body.items.find((
        i: { metadata: { name: string } },
      ) => i.metadata.name === "authentication.k8s.io");
      assert.equal(
        authn.versions[0].resources[0].resource,
        "selfsubjectreviews",
      );
    });

    await t.step("reviews are create-only", async () => {
      const get = await server.request("GET", `${AUTHZ}/selfsubjectreviews`);
      assert.equal(get.status, 404);
      const list = await server.request(
        "GET",
        `${AUTHZ}/selfsubjectaccessreviews`,
      );
      assert.equal(list.status, 405);
    });
  } finally {
    await server.close();
  }
});
