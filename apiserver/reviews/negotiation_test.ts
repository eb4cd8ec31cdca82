import assert from "node:assert/strict";
import type { AuthorizationAttributes } from "../authz/authorizer.ts";
import type { TokenReviewer } from "./token_review.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const AUTHN = "/apis/authentication.k8s.io/v1";
const AUTHZ = "/apis/authorization.k8s.io/v1";
const PROBE = { username: "probe", groups: ["system:authenticated"] };
const PARTIAL = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
const TABLE = "application/json;as=Table;g=meta.k8s.io;v=v1";
const NOT_ACCEPTABLE =
  "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf";

Deno.test("review responses are negotiated as upstream's create handler", async (t) => {
  // Every decision about the probe user is one a review asked for (the
  // request itself is the admin's); every token checked is a TokenReview's.
  const probed: AuthorizationAttributes[] = [];
  const tokens: string[] = [];
  const tokenReviewer: TokenReviewer = {
    authenticateToken(token) {
      tokens.push(token);
      return Promise.resolve(undefined);
    },
  };
  const server = await startTestServer({
    authorizer: {
      authorize(attrs) {
        if (attrs.user.username === PROBE.username) probed.push(attrs);
        return Promise.resolve({ allowed: true });
      },
    },
    tokenReviewer,
  });
  const sar = (accept: string) =>
    server.request("POST", `${AUTHZ}/subjectaccessreviews`, {
      headers: { accept },
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        metadata: { name: "r", labels: { a: "b" } },
        spec: {
          user: PROBE.username,
          groups: PROBE.groups,
          resourceAttributes: { verb: "get", resource: "pods" },
        },
      },
    });
  const tokenReview = (accept: string) =>
    server.request("POST", `${AUTHN}/tokenreviews`, {
      headers: { accept },
      body: { spec: { token: "abc" } },
    });
  try {
    await t.step(
      "an unservable Accept is 406 before any evaluation",
      async () => {
        for (
          const accept of [
            "text/plain",
            TABLE,
            "application/vnd.kubernetes.protobuf;as=Table;g=meta.k8s.io;v=v1",
          ]
        ) {
          const res = await sar(accept);
          assert.equal(res.status, 406, accept);
          assert.equal(res.body.reason, "NotAcceptable");
          const tr = await tokenReview(accept);
          assert.equal(tr.status, 406, accept);
        }
        assert.equal(probed.length, 0);
        assert.deepEqual(tokens, []);
        assert.equal((await sar("text/plain")).body.message, NOT_ACCEPTABLE);
        // A Table is not served here: upstream's review storages have no
        // TableConvertor, so the range is passed over (and a later one taken).
        assert.equal((await sar(TABLE)).body.message, NOT_ACCEPTABLE);
        assert.equal(
          (await tokenReview(
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
          )).body.message,
          "you requested PartialObjectMetadataList, but the requested object is not a list (TokenReview)",
        );
        assert.equal(probed.length, 0);
        assert.deepEqual(tokens, []);
      },
    );

    await t.step(
      "a refused Accept is refused before the body is decoded",
      async () => {
        const res = await server.request(
          "POST",
          `${AUTHN}/selfsubjectreviews`,
          {
            headers: { accept: "text/plain", "content-type": "text/plain" },
            text: "not json",
          },
        );
        assert.equal(res.status, 406);
      },
    );

    await t.step("as=Table falls through to the next media range", async () => {
      const res = await sar(`${TABLE}, application/json`);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.kind, "SubjectAccessReview");
      assert.equal(res.body.status.allowed, true);
      assert.equal(probed.length, 1);
    });

    await t.step(
      "as=PartialObjectMetadata answers the review's metadata",
      async () => {
        for (const v of ["v1", "v1beta1"]) {
          const res = await sar(PARTIAL.replace("v=v1", `v=${v}`));
          assert.equal(res.status, 201, JSON.stringify(res.body));
          assert.deepEqual(res.body, {
            kind: "PartialObjectMetadata",
            apiVersion: `meta.k8s.io/${v}`,
            metadata: {
              name: "r",
              labels: { a: "b" },
              creationTimestamp: null,
            },
          });
        }
        const tr = await tokenReview(PARTIAL);
        assert.equal(tr.status, 201);
        assert.deepEqual(tr.body, {
          kind: "PartialObjectMetadata",
          apiVersion: "meta.k8s.io/v1",
          metadata: { creationTimestamp: null },
        });
        // The review was still evaluated: only its answer is converted.
        assert.deepEqual(tokens, ["abc"]);
      },
    );

    await t.step("YAML is written by the encoding step", async () => {
      const res = await server.raw("POST", `${AUTHN}/selfsubjectreviews`, {
        headers: { accept: "application/yaml" },
        body: {},
        user: PROBE,
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get("content-type"), "application/yaml");
      assert.match(
        await res.text(),
        /^apiVersion: authentication\.k8s\.io\/v1\n/,
      );
    });
  } finally {
    await server.close();
  }
});
