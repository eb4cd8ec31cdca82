/**
 * End-to-end file modes of the data directory: a real `hyperplane server` on
 * SQLite keeps everything it writes private — directories 0700, files 0600,
 * public certificates (`.crt`) aside — through start and a token request
 * (which creates the service account signing key), and tightens a data
 * directory an older run left open.
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";

/** Every entry under `dir` (itself included) with its permission bits. */
async function modes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const visit = async (path: string, rel: string) => {
    const info = await Deno.lstat(path);
    out.set(rel === "" ? "." : rel, info.mode! & 0o777);
    if (!info.isDirectory) return;
    for await (const e of Deno.readDir(path)) {
      await visit(
        `${path}/${e.name}`,
        rel === "" ? e.name : `${rel}/${e.name}`,
      );
    }
  };
  await visit(dir, "");
  return out;
}

/** The entries whose mode is not what a private data dir must have. */
async function openEntries(dir: string): Promise<string[]> {
  const wrong: string[] = [];
  for (const [rel, mode] of await modes(dir)) {
    const info = await Deno.lstat(rel === "." ? dir : `${dir}/${rel}`);
    if (info.isSymlink) continue;
    const want = info.isDirectory ? 0o700 : rel.endsWith(".crt") ? -1 : 0o600;
    if (want === -1 ? (mode & 0o022) !== 0 : mode !== want) {
      wrong.push(`${rel} ${mode.toString(8)}`);
    }
  }
  return wrong;
}

async function requestToken(server: TestServer): Promise<string> {
  const sa = await server.fetch("/api/v1/namespaces/default/serviceaccounts", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ metadata: { name: "ci" } }),
  });
  assert.equal(sa.status, 201, await sa.text());
  const res = await server.fetch(
    "/api/v1/namespaces/default/serviceaccounts/ci/token",
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 600 },
      }),
    },
  );
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.status.token;
}

Deno.test("after start and a token request every file in the data dir is 0600 and every directory 0700", async () => {
  await using server = await startServer();
  const token = await requestToken(server);
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const found = await modes(server.dataDir);
  for (
    const file of [
      "state.db",
      "state.db-wal",
      "admin.kubeconfig",
      "auth/tokens.csv",
      "tls/ca.key",
      "tls/serving.key",
      "pki/service-account.key",
    ]
  ) {
    assert.equal(found.get(file), 0o600, `${file}: ${found.get(file)}`);
  }
  assert.equal(found.get("."), 0o700);
  assert.deepEqual(await openEntries(server.dataDir), []);
  assert.deepEqual(
    [...found.keys()].filter((p) => p.endsWith(".tmp")),
    [],
    "no temporary files left",
  );
});

Deno.test("a data dir an older run left open (0755, state.db 0644) is tightened on start, and it is logged", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-modes-" });
  try {
    await Deno.chmod(dataDir, 0o755);
    await Deno.mkdir(`${dataDir}/auth`, { mode: 0o755 });
    await Deno.chmod(`${dataDir}/auth`, 0o755);
    // An empty file is a valid new SQLite database.
    await Deno.writeTextFile(`${dataDir}/state.db`, "");
    await Deno.chmod(`${dataDir}/state.db`, 0o644);
    await using server = await startServer({ dataDir });
    const found = await modes(dataDir);
    assert.equal(found.get("."), 0o700);
    assert.equal(found.get("auth"), 0o700);
    assert.equal(found.get("state.db"), 0o600);
    assert.deepEqual(await openEntries(dataDir), []);
    const logged = server.stderrTail().split("\n").filter((l) =>
      /tightened file modes/.test(l)
    );
    assert.equal(logged.length, 1, server.stderrTail());
    assert.match(logged[0], /state\.db 644->600/);
    // The server works on the database it tightened.
    const res = await server.fetch("/api/v1/namespaces/default");
    assert.equal(res.status, 200, await res.text());
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
