import assert from "node:assert/strict";
import type { UserInfo } from "../request_context.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { knownMetadata, knownSpec } from "./known_fields.ts";

const AUTHN = "/apis/authentication.k8s.io/v1";
const AUTHZ = "/apis/authorization.k8s.io/v1";

const BOB: UserInfo = { username: "bob", groups: ["system:authenticated"] };

Deno.test("a review spec keeps only its kind's declared fields", () => {
  assert.deepEqual(
    knownSpec("SelfSubjectAccessReview", {
      resourceAttributes: {
        verb: "get",
        bogus: 1,
        fieldSelector: { rawSelector: "a=b", x: 1 },
        labelSelector: {
          requirements: [{ key: "k", operator: "In", values: ["v"], y: 2 }],
        },
      },
      user: "not-for-self",
      junk: {},
    }),
    {
      resourceAttributes: {
        verb: "get",
        fieldSelector: { rawSelector: "a=b" },
        labelSelector: {
          requirements: [{ key: "k", operator: "In", values: ["v"] }],
        },
      },
    },
  );
  assert.deepEqual(
    knownSpec("SubjectAccessReview", {
      nonResourceAttributes: { path: "/x", verb: "get", z: 1 },
      user: "u",
      groups: ["g"],
      uid: "1",
      extra: { a: ["b"] },
      junk: 1,
    }),
    {
      nonResourceAttributes: { path: "/x", verb: "get" },
      user: "u",
      groups: ["g"],
      extra: { a: ["b"] },
      uid: "1",
    },
  );
  assert.deepEqual(
    knownSpec("SelfSubjectRulesReview", { namespace: "a", b: 1 }),
    { namespace: "a" },
  );
  assert.deepEqual(knownSpec("SelfSubjectReview", { a: 1 }), {});
  assert.deepEqual(
    knownMetadata({ name: "n", labels: { a: "b" }, bogus: 1 }),
    { name: "n", labels: { a: "b" } },
  );
});

Deno.test("reviews drop unknown fields and refuse oversized bodies", async (t) => {
  const server = await startTestServer();
  try {
    await t.step(
      "a SelfSubjectAccessReview does not echo unknown fields",
      async () => {
        const res = await server.request(
          "POST",
          `${AUTHZ}/selfsubjectaccessreviews`,
          {
            body: {
              apiVersion: "authorization.k8s.io/v1",
              kind: "SelfSubjectAccessReview",
              metadata: { bogusMeta: 1 },
              spec: {
                resourceAttributes: {
                  verb: "get",
                  resource: "configmaps",
                  bogus: 1,
                },
                padding: { a: "b" },
              },
              extraTop: true,
            },
            user: BOB,
          },
        );
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(res.body.spec, {
          resourceAttributes: { verb: "get", resource: "configmaps" },
        });
        assert.deepEqual(res.body.metadata, { creationTimestamp: null });
        assert.equal(res.body.extraTop, undefined);
      },
    );

    await t.step(
      "a deep body is a 400 for SelfSubjectReview and SelfSubjectAccessReview",
      async () => {
        const deep = "[".repeat(100_000) + "]".repeat(100_000);
        for (
          const [path, text] of [
            [`${AUTHN}/selfsubjectreviews`, `{"metadata":{"labels":${deep}}}`],
            [
              `${AUTHZ}/selfsubjectaccessreviews`,
              `{"spec":{"resourceAttributes":{"verb":${deep}}}}`,
            ],
          ]
        ) {
          const res = await server.request("POST", path, {
            text,
            headers: { "content-type": "application/json" },
            user: BOB,
          });
          assert.equal(res.status, 400, JSON.stringify(res.body));
          assert.equal(res.body.kind, "Status");
          assert.match(res.body.message, /exceeded max depth/);
        }
        const ok = await server.request("POST", `${AUTHN}/selfsubjectreviews`, {
          body: {},
          user: BOB,
        });
        assert.equal(ok.status, 201);
      },
    );

    await t.step("a body of too many keys is a 413", async () => {
      const padding: Record<string, string> = {};
      for (let i = 0; i < 120_000; i++) padding[`k${i}`] = "";
      const res = await server.request(
        "POST",
        `${AUTHZ}/selfsubjectaccessreviews`,
        {
          body: { spec: { resourceAttributes: { verb: "get" } }, padding },
          user: BOB,
        },
      );
      assert.equal(res.status, 413, JSON.stringify(res.body).slice(0, 300));
      assert.equal(res.body.reason, "RequestEntityTooLarge");
    });
  } finally {
    await server.close();
  }
});
