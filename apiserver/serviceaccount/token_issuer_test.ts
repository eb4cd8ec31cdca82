import assert from "node:assert/strict";
import { generateSigningKey } from "./signing_key.ts";
import {
  CLUSTER_CLAIM,
  DEFAULT_ISSUER,
  InvalidTokenError,
  ServiceAccountTokenIssuer,
  type TokenRequestSpec,
} from "./token_issuer.ts";

const spec: TokenRequestSpec = {
  cluster: "root",
  namespace: "default",
  serviceAccount: { name: "builder", uid: "sa-uid" },
  audiences: [DEFAULT_ISSUER],
  expirationSeconds: 3600,
};

function payloadOf(token: string): Record<string, unknown> {
  const part = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  return JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4)));
}

Deno.test("an issued token verifies to its claims, shaped as upstream's bound tokens", async () => {
  let now = new Date("2026-01-01T00:00:00Z");
  const issuer = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
    now: () => now,
  });
  const issued = await issuer.issue({
    ...spec,
    boundObject: { kind: "Secret", name: "s", uid: "secret-uid" },
  });
  assert.equal(
    issued.expirationTimestamp.toISOString(),
    "2026-01-01T01:00:00.000Z",
  );
  const p = payloadOf(issued.token);
  assert.equal(p.iss, DEFAULT_ISSUER);
  assert.equal(p.sub, "system:serviceaccount:default:builder");
  assert.deepEqual(p.aud, [DEFAULT_ISSUER]);
  assert.equal(p.exp, (p.iat as number) + 3600);
  assert.equal(p.nbf, p.iat);
  assert.deepEqual(p["kubernetes.io"], {
    namespace: "default",
    serviceaccount: { name: "builder", uid: "sa-uid" },
    secret: { name: "s", uid: "secret-uid" },
  });
  assert.equal(p[CLUSTER_CLAIM], "root");
  const header = JSON.parse(atob(issued.token.split(".")[0]));
  assert.equal(header.alg, "ES256");
  assert.match(header.kid, /^[A-Za-z0-9_-]{43}$/);

  const claims = await issuer.verify(issued.token);
  assert.deepEqual(claims, {
    cluster: "root",
    namespace: "default",
    name: "builder",
    uid: "sa-uid",
    boundObject: { kind: "Secret", name: "s", uid: "secret-uid" },
    audiences: [DEFAULT_ISSUER],
    id: p.jti,
    expiresAt: p.exp,
  });

  now = new Date("2026-01-01T01:00:01Z");
  await assert.rejects(
    () => issuer.verify(issued.token),
    (e: unknown) => e instanceof InvalidTokenError && /expired/.test(e.message),
  );
});

Deno.test("tokens of other issuers and non-JWTs are not ours; tampered or foreign-audience ones are invalid", async () => {
  const issuer = new ServiceAccountTokenIssuer({ key: generateSigningKey });
  assert.equal(await issuer.verify("not-a-jwt"), undefined);
  assert.equal(await issuer.verify("a.b.c"), undefined);
  const other = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
    issuer: "https://elsewhere.example",
  });
  assert.equal(await issuer.verify((await other.issue(spec)).token), undefined);

  // same issuer name, another key: a forgery
  const forger = new ServiceAccountTokenIssuer({ key: generateSigningKey });
  await assert.rejects(
    async () => await issuer.verify((await forger.issue(spec)).token),
    InvalidTokenError,
  );
  const good = (await issuer.issue(spec)).token;
  const [h, , s] = good.split(".");
  const forged = btoa(JSON.stringify({
    ...payloadOf(good),
    sub: "system:serviceaccount:kube-system:admin",
  })).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  await assert.rejects(
    () => issuer.verify(`${h}.${forged}.${s}`),
    InvalidTokenError,
  );
  await assert.rejects(
    async () =>
      await issuer.verify(
        (await issuer.issue({ ...spec, audiences: ["vault"] })).token,
      ),
    (e: unknown) =>
      e instanceof InvalidTokenError && /audience/.test(e.message),
  );
});

Deno.test("a verified token is trusted again for a while, never past its expiry", async () => {
  let now = new Date("2026-12-06T10:00:00Z");
  const issuer = new ServiceAccountTokenIssuer({
    key: generateSigningKey,
    now: () => now,
  });
  const issued = await issuer.issue({
    cluster: "root",
    namespace: "default",
    serviceAccount: { name: "cached", uid: "u-1" },
    audiences: [...issuer.apiAudiences],
    expirationSeconds: 600,
  });
  const first = await issuer.verify(issued.token);
  assert.equal(first?.name, "cached");
  // Same answer from the cache within its lifetime…
  now = new Date(now.getTime() + 5_000);
  assert.deepEqual(await issuer.verify(issued.token), first);
  // …and after the token expired, a fresh verification refuses it.
  now = new Date(now.getTime() + 600_000);
  await assert.rejects(() => issuer.verify(issued.token), /expired/);
});
