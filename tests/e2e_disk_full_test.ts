/**
 * End-to-end disk full: a real `hyperplane server` on SQLite with its data
 * dir on a 2 MiB tmpfs. With the disk full, writes answer 500 with a message
 * that says so, reads and `/readyz` keep working, and a token request (which
 * must create the service account signing key) fails without leaving a
 * 0-byte key behind. Once space is freed, writes and token issuance work
 * again without a restart, and the key survives one.
 *
 * Mounting needs root; without it the test prints `SKIPPED:` (and fails
 * under `HYPERPLANE_REQUIRE_SERVICES=1`).
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";
import { mountTmpfs, skipWithoutTmpfs } from "./support/tmpfs.ts";

const JSON_HEADERS = { "content-type": "application/json" };
const CONFIGMAPS = "/api/v1/namespaces/default/configmaps";
const TOKEN = "/api/v1/namespaces/default/serviceaccounts/ci/token";
const KEY = "pki/service-account.key";

function createConfigMap(server: TestServer, name: string, size = 0) {
  return server.fetch(CONFIGMAPS, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({
      metadata: { name },
      data: { blob: "x".repeat(size) },
    }),
  });
}

function requestToken(server: TestServer) {
  return server.fetch(TOKEN, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { expirationSeconds: 600 },
    }),
  });
}

/** The user name the server sees for `token`. */
async function whoami(server: TestServer, token: string): Promise<string> {
  const res = await server.fetch(
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    {
      method: "POST",
      headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
      body: JSON.stringify({
        apiVersion: "authentication.k8s.io/v1",
        kind: "SelfSubjectReview",
      }),
    },
  );
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.status.userInfo.username;
}

async function entries(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e.name);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return out.sort();
}

Deno.test("a full disk fails writes and the signing key cleanly, keeps reads and readiness, and recovers without a restart", async (t) => {
  const disk = await mountTmpfs(2 * 1024 * 1024);
  if (skipWithoutTmpfs(disk, "disk full end to end")) return;
  await using _ = disk;
  const dataDir = `${disk.path}/data`;
  await using server = await startServer({ dataDir });
  const before = await createConfigMap(server, "before");
  assert.equal(before.status, 201, await before.text());
  const sa = await server.fetch("/api/v1/namespaces/default/serviceaccounts", {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ metadata: { name: "ci" } }),
  });
  assert.equal(sa.status, 201, await sa.text());
  await disk.fill();

  await t.step("a write answers 500 saying the disk is full", async () => {
    const res = await createConfigMap(server, "big", 200 * 1024);
    const body = await res.json();
    assert.equal(res.status, 500, JSON.stringify(body));
    assert.equal(body.kind, "Status");
    assert.equal(body.reason, "InternalError");
    assert.match(body.message, /disk .*is full/);
  });

  await t.step("reads and /readyz keep working", async () => {
    const get = await server.fetch(`${CONFIGMAPS}/before`);
    assert.equal(get.status, 200, await get.text());
    const list = await server.fetch(CONFIGMAPS);
    const items = (await list.json()).items.map((
      i: { metadata: { name: string } },
    ) => i.metadata.name);
    assert.ok(items.includes("before"), items.join(","));
    assert.ok(!items.includes("big"), "the failed write left nothing");
    const ready = await server.fetch("/readyz?verbose");
    assert.equal(ready.status, 200, await ready.text());
  });

  await t.step(
    "a token request fails without leaving a 0-byte key",
    async () => {
      const res = await requestToken(server);
      const body = await res.json();
      assert.equal(res.status, 500, JSON.stringify(body));
      assert.match(body.message, /service-account\.key.*disk is full/);
      assert.deepEqual(await entries(`${dataDir}/pki`), []);
    },
  );

  await disk.free();

  await t.step(
    "once space is freed, writes and tokens work without a restart",
    async () => {
      const res = await createConfigMap(server, "big", 200 * 1024);
      assert.equal(res.status, 201, await res.text());
      const tokenRes = await requestToken(server);
      const body = await tokenRes.json();
      assert.equal(tokenRes.status, 201, JSON.stringify(body));
      assert.equal(
        await whoami(server, body.status.token),
        "system:serviceaccount:default:ci",
      );
      const key = await Deno.stat(`${dataDir}/${KEY}`);
      assert.ok(key.size > 0);
      assert.equal(key.mode! & 0o777, 0o600);
      // The key, and the public keys it and earlier keys verify with.
      assert.deepEqual(await entries(`${dataDir}/pki`), [
        "service-account.key",
        "service-account.pub",
      ]);

      await server.restart();
      assert.equal(
        await whoami(server, body.status.token),
        "system:serviceaccount:default:ci",
        "the key written after the full disk is kept",
      );
    },
  );
});
