import assert from "node:assert/strict";
import {
  generateSigningKey,
  ServiceAccountTokenIssuer,
} from "../serviceaccount/mod.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const SA = "/api/v1/namespaces/default/serviceaccounts";
const TOKEN = `${SA}/builder/token`;

Deno.test("TokenRequest (serviceaccounts/<name>/token)", async (t) => {
  const now = new Date("2026-03-01T10:00:00Z");
  const tokenIssuer = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
    now: () => now,
  });
  const s = await startTestServer({ tokenIssuer, now: () => now });
  try {
    const sa = await s.request("POST", SA, {
      body: { metadata: { name: "builder" } },
    });
    assert.equal(sa.status, 201);

    await t.step(
      "an empty request gets a one-hour token for the API audience",
      async () => {
        const r = await s.request("POST", TOKEN, {
          body: {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
          },
        });
        assert.equal(r.status, 201);
        assert.equal(r.body.kind, "TokenRequest");
        assert.equal(r.body.apiVersion, "authentication.k8s.io/v1");
        assert.equal(r.body.metadata.name, "builder");
        assert.equal(r.body.metadata.namespace, "default");
        assert.deepEqual(r.body.spec, {
          audiences: ["https://kubernetes.default.svc.cluster.local"],
          expirationSeconds: 3600,
          boundObjectRef: null,
        });
        assert.equal(r.body.status.expirationTimestamp, "2026-03-01T11:00:00Z");
        const claims = await tokenIssuer.verify(r.body.status.token);
        assert.equal(claims?.name, "builder");
        assert.equal(claims?.uid, sa.body.metadata.uid);
        assert.equal(claims?.cluster, "root");
      },
    );

    await t.step(
      "audiences and expiration are taken from the spec",
      async () => {
        const r = await s.request("POST", TOKEN, {
          body: { spec: { audiences: ["vault"], expirationSeconds: 7200 } },
        });
        assert.equal(r.status, 201);
        assert.deepEqual(r.body.spec.audiences, ["vault"]);
        assert.equal(r.body.status.expirationTimestamp, "2026-03-01T12:00:00Z");
      },
    );

    await t.step("invalid specs are 422 with causes", async () => {
      const r = await s.request("POST", TOKEN, {
        body: {
          metadata: { name: "other" },
          spec: {
            expirationSeconds: 599,
            boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "p" },
          },
        },
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.reason, "Invalid");
      assert.equal(r.body.details.kind, "TokenRequest");
      assert.equal(r.body.details.group, "authentication.k8s.io");
      assert.deepEqual(
        r.body.details.causes.map((c: { field: string }) => c.field),
        ["metadata.name", "spec.expirationSeconds", "spec.boundObjectRef.kind"],
      );
      assert.match(r.body.message, /less than 10 minutes/);
    });

    await t.step(
      "another kind in the body is 400; a missing account 404",
      async () => {
        const bad = await s.request("POST", TOKEN, {
          body: { apiVersion: "v1", kind: "ConfigMap" },
        });
        assert.equal(bad.status, 400);
        const missing = await s.request("POST", `${SA}/nobody/token`, {
          body: {},
        });
        assert.equal(missing.status, 404);
        assert.equal(
          missing.body.message,
          'serviceaccounts "nobody" not found',
        );
      },
    );

    await t.step(
      "a token bound to a Secret names it; a missing or replaced Secret is refused",
      async () => {
        const secret = await s.request(
          "POST",
          "/api/v1/namespaces/default/secrets",
          {
            body: { metadata: { name: "anchor" } },
          },
        );
        const uid = secret.body.metadata.uid;
        const r = await s.request("POST", TOKEN, {
          body: {
            spec: {
              boundObjectRef: {
                kind: "Secret",
                apiVersion: "v1",
                name: "anchor",
              },
            },
          },
        });
        assert.equal(r.status, 201);
        assert.deepEqual(r.body.spec.boundObjectRef, {
          kind: "Secret",
          apiVersion: "v1",
          name: "anchor",
          uid,
        });
        const claims = await tokenIssuer.verify(r.body.status.token);
        assert.deepEqual(claims?.boundObject, {
          kind: "Secret",
          name: "anchor",
          uid,
        });
        const stale = await s.request("POST", TOKEN, {
          body: {
            spec: {
              boundObjectRef: { kind: "Secret", name: "anchor", uid: "old" },
            },
          },
        });
        assert.equal(stale.status, 409);
        const gone = await s.request("POST", TOKEN, {
          body: { spec: { boundObjectRef: { kind: "Secret", name: "gone" } } },
        });
        assert.equal(gone.status, 404);
      },
    );

    await t.step("dryRun validates without issuing a token", async () => {
      const r = await s.request("POST", `${TOKEN}?dryRun=All`, { body: {} });
      assert.equal(r.status, 201);
      assert.equal(r.body.status.token, "");
    });

    await t.step("the token subresource only takes create", async () => {
      for (const method of ["GET", "PUT", "PATCH", "DELETE"]) {
        const r = await s.request(method, TOKEN, {
          body: method === "GET" || method === "DELETE" ? undefined : {},
          headers: method === "PATCH"
            ? { "content-type": "application/merge-patch+json" }
            : {},
        });
        assert.equal(r.status, 405, method);
      }
    });

    await t.step(
      "an unservable Accept is 406 before a token is minted",
      async () => {
        const issue = tokenIssuer.issue;
        let minted = 0;
        tokenIssuer.issue = (spec) => {
          minted++;
          return issue.call(tokenIssuer, spec);
        };
        try {
          for (
            const accept of [
              "text/plain",
              // TokenRequest has no Table (upstream: no TableConvertor).
              "application/json;as=Table;g=meta.k8s.io;v=v1",
              "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
            ]
          ) {
            const r = await s.request("POST", TOKEN, {
              body: {},
              headers: { accept },
            });
            assert.equal(r.status, 406, accept);
            assert.equal(r.body.reason, "NotAcceptable");
          }
          assert.equal(minted, 0);
          const ok = await s.request("POST", TOKEN, {
            body: {},
            headers: { accept: "text/plain, application/json" },
          });
          assert.equal(ok.status, 201);
          assert.equal(minted, 1);
        } finally {
          tokenIssuer.issue = issue;
        }
      },
    );

    await t.step(
      "as=PartialObjectMetadata answers the TokenRequest's metadata",
      async () => {
        const r = await s.request("POST", TOKEN, {
          body: {},
          headers: {
            accept:
              "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1",
          },
        });
        assert.equal(r.status, 201);
        assert.deepEqual(r.body, {
          kind: "PartialObjectMetadata",
          apiVersion: "meta.k8s.io/v1",
          metadata: {
            name: "builder",
            namespace: "default",
            uid: sa.body.metadata.uid,
            creationTimestamp: "2026-03-01T10:00:00Z",
          },
        });
      },
    );

    await t.step(
      "a uid in the request must be the service account's (409)",
      async () => {
        const uid = sa.body.metadata.uid;
        const same = await s.request("POST", TOKEN, {
          body: { metadata: { uid } },
        });
        assert.equal(same.status, 201);
        assert.equal(same.body.metadata.uid, uid);
        const other = await s.request("POST", TOKEN, {
          body: { metadata: { uid: "not-it" } },
        });
        assert.equal(other.status, 409);
        assert.equal(
          other.body.message,
          `Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "builder": the UID in the token request (not-it) does not match the UID of the service account (${uid})`,
        );
      },
    );
  } finally {
    await s.close();
  }
});
