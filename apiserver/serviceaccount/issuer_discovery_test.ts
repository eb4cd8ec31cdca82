import assert from "node:assert/strict";
import { createLocalJWKSet, jwtVerify } from "jose";
import {
  ADMIN,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { generateSigningKey } from "./signing_key.ts";
import { jwksUri } from "./issuer_discovery.ts";
import { DEFAULT_ISSUER, ServiceAccountTokenIssuer } from "./token_issuer.ts";

const SA_USER = {
  username: "system:serviceaccount:default:reader",
  groups: [
    "system:serviceaccounts",
    "system:serviceaccounts:default",
    "system:authenticated",
  ],
};

Deno.test("issuer discovery serves the OpenID configuration and a key set that verifies issued tokens", async () => {
  const tokenIssuer = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
  });
  const s = await startTestServer({ tokenIssuer });
  try {
    const conf = await s.request("GET", "/.well-known/openid-configuration", {
      user: SA_USER,
    });
    assert.equal(conf.status, 200);
    assert.equal(conf.headers.get("cache-control"), "public, max-age=3600");
    assert.deepEqual(conf.body, {
      issuer: DEFAULT_ISSUER,
      jwks_uri: `${DEFAULT_ISSUER}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    });
    const jwks = await s.request("GET", "/openid/v1/jwks", { user: ADMIN });
    assert.equal(jwks.status, 200);
    assert.equal(jwks.headers.get("content-type"), "application/jwk-set+json");
    assert.equal(jwks.body.keys.length, 1);
    assert.equal(jwks.body.keys[0].d, undefined, "no private part");
    assert.equal(jwks.body.keys[0].use, "sig");

    const { token } = await tokenIssuer.issue({
      cluster: "root",
      namespace: "default",
      serviceAccount: { name: "reader", uid: "u" },
      audiences: ["vault"],
      expirationSeconds: 600,
    });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks.body), {
      issuer: DEFAULT_ISSUER,
      audience: "vault",
    });
    assert.equal(payload.sub, "system:serviceaccount:default:reader");

    // not for users without a grant, as upstream's default RBAC
    const bob = { username: "bob", groups: ["system:authenticated"] };
    const denied = await s.request("GET", "/openid/v1/jwks", { user: bob });
    assert.equal(denied.status, 403);
    const post = await s.request("POST", "/openid/v1/jwks", {
      user: ADMIN,
      body: {},
    });
    assert.equal(post.status, 405);
  } finally {
    await s.close();
  }
});

Deno.test("issuer discovery is off for an issuer that is not an https URL", async () => {
  assert.equal(
    jwksUri("https://issuer.example/"),
    "https://issuer.example/openid/v1/jwks",
  );
  assert.equal(jwksUri("http://issuer.example"), undefined);
  assert.equal(jwksUri("hyperplane"), undefined);
  const s = await startTestServer({
    tokenIssuer: new ServiceAccountTokenIssuer({
      key: generateSigningKey,
      issuer: "hyperplane",
    }),
  });
  try {
    const r = await s.request("GET", "/openid/v1/jwks", { user: ADMIN });
    assert.equal(r.status, 404);
  } finally {
    await s.close();
  }
});
