import assert from "node:assert/strict";
import {
  generateSigningKey,
  ServiceAccountTokenIssuer,
} from "../serviceaccount/mod.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { AuthenticationError } from "./errors.ts";
import { serviceAccountAuthenticator } from "./service_account_authenticator.ts";
import { storedObjectLookup } from "./stored_lookup.ts";

const SA = "/api/v1/namespaces/team/serviceaccounts";

Deno.test("service account tokens authenticate while their account (and bound secret) live, in their cluster only", async () => {
  const tokenIssuer = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
  });
  const s = await startTestServer({ tokenIssuer });
  const authn = serviceAccountAuthenticator({
    issuer: tokenIssuer,
    lookup: storedObjectLookup(s.storage),
  });
  const as = (token: string, path = "/api/v1/namespaces/team/configmaps") =>
    authn.authenticate(
      new Request(`https://x${path}`, {
        headers: { authorization: `Bearer ${token}` },
      }),
    );
  const tokenFor = async (name: string, spec: unknown = {}, prefix = "") => {
    const r = await s.request("POST", `${prefix}${SA}/${name}/token`, {
      body: { spec },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.status.token as string;
  };
  try {
    await s.request("POST", "/api/v1/namespaces", {
      body: { metadata: { name: "team" } },
    });
    const sa = await s.request("POST", SA, {
      body: { metadata: { name: "ci" } },
    });
    const token = await tokenFor("ci");
    const user = await as(token);
    assert.ok(!(user instanceof AuthenticationError));
    assert.equal(user?.username, "system:serviceaccount:team:ci");
    assert.equal(user?.uid, sa.body.metadata.uid);
    assert.deepEqual(user?.groups, [
      "system:serviceaccounts",
      "system:serviceaccounts:team",
    ]);
    assert.match(
      user!.extra!["authentication.kubernetes.io/credential-id"][0],
      /^JTI=[0-9a-f-]{36}$/,
    );

    // not ours: no opinion, so the admin token authenticator can answer
    assert.equal(await as("some-static-token"), undefined);

    // another cluster
    const elsewhere = await as(token, "/clusters/other/api/v1/namespaces");
    assert.ok(elsewhere instanceof AuthenticationError);
    assert.match(elsewhere.message, /not valid in this cluster/);
    const tenant = await s.request("POST", "/clusters/t1/api/v1/namespaces", {
      body: { metadata: { name: "team" } },
    });
    assert.equal(tenant.status, 201);
    await s.request("POST", `/clusters/t1${SA}`, {
      body: { metadata: { name: "ci" } },
    });
    const tenantToken = await tokenFor("ci", {}, "/clusters/t1");
    const tenantUser = await as(tenantToken, "/clusters/t1/api/v1/pods");
    assert.equal(
      (tenantUser as { username: string }).username,
      "system:serviceaccount:team:ci",
    );
    assert.ok((await as(tenantToken)) instanceof AuthenticationError);

    // bound to a secret: dies with it
    await s.request("POST", "/api/v1/namespaces/team/secrets", {
      body: { metadata: { name: "anchor" } },
    });
    const bound = await tokenFor("ci", {
      boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "anchor" },
    });
    assert.ok(!((await as(bound)) instanceof AuthenticationError));
    await s.request("DELETE", "/api/v1/namespaces/team/secrets/anchor");
    const orphan = await as(bound);
    assert.ok(orphan instanceof AuthenticationError);
    assert.match(orphan.message, /secret team\/anchor/);

    // the account deleted, then recreated under the same name
    await s.request("DELETE", `${SA}/ci`);
    const deleted = await as(token);
    assert.ok(deleted instanceof AuthenticationError);
    assert.match(deleted.message, /has been deleted/);
    await s.request("POST", SA, { body: { metadata: { name: "ci" } } });
    const recreated = await as(token);
    assert.ok(recreated instanceof AuthenticationError);
    assert.match(recreated.message, /does not match claim/);
  } finally {
    await s.close();
  }
});
