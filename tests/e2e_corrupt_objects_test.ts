/**
 * Corrupt objects end to end (KEP-3926), against a real `hyperplane server`
 * on SQLite with the real kubectl v1.35: two ConfigMaps are damaged in
 * `state.db` while the server is stopped (as a bad disk or a hand edit
 * would), then after the restart
 *
 * - `kubectl get cm bad` is a 500 naming the corrupt key, `kubectl get cm
 *   good` works, `kubectl get cm` fails naming both corrupt keys, and
 *   `kubectl delete cm bad` cannot remove it;
 * - the unsafe delete (`ignoreStoreReadErrorWithClusterBreakingPotential`,
 *   query and body) is 403 for a user allowed only `delete`, and works once
 *   the user may also `unsafe-delete-ignore-read-errors`;
 * - afterwards lists and watches work again without a restart.
 *
 * The limited user is `alice`, impersonated by the admin (`--as` for
 * kubectl, `Impersonate-User` for raw requests).
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer, type TestServer } from "./support/server.ts";
import {
  assertCorruptReported,
  assertRecovered,
  CONFIG_MAPS as CMS,
  configMapKey as keyOf,
  CORRUPT_VALUE,
  UNSAFE_DELETE as UNSAFE,
} from "./support/corrupt_objects.ts";

const JSON_CT = { "content-type": "application/json" };
const AS_ALICE = { "Impersonate-User": "alice" };

async function send(
  server: TestServer,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.fetch(path, {
    method,
    headers: { ...JSON_CT, ...opts.headers },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: { text } };
  }
}

/** A Role and RoleBinding in `default` granting alice `verbs` on configmaps. */
async function grant(server: TestServer, name: string, verbs: string[]) {
  const rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
  const role = await send(server, "POST", `${rbac}/roles`, {
    body: {
      metadata: { name },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs }],
    },
  });
  assert.equal(role.status, 201, JSON.stringify(role.body));
  const binding = await send(server, "POST", `${rbac}/rolebindings`, {
    body: {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{
        apiGroup: "rbac.authorization.k8s.io",
        kind: "User",
        name: "alice",
      }],
    },
  });
  assert.equal(binding.status, 201, JSON.stringify(binding.body));
}

Deno.test("corrupt objects: get, list and delete name the key; the unsafe delete needs both verbs and the resource recovers", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "corrupt objects e2e")) return;
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-corrupt-" });
  let server: TestServer | undefined;
  try {
    server = await startServer({ dataDir });
    for (const name of ["good", "bad", "bad2"]) {
      const res = await send(server, "POST", CMS, {
        body: { metadata: { name }, data: { k: name } },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    await grant(server, "deleter", ["get", "list", "watch", "delete"]);
    await server.stop();

    // Damage two stored values while the server is down.
    const db = new DatabaseSync(`${dataDir}/state.db`);
    const damage = db.prepare(
      "UPDATE log SET value = ? WHERE key = ? AND rev = (SELECT rev FROM kv WHERE key = ?)",
    );
    for (const name of ["bad", "bad2"]) {
      const r = damage.run(CORRUPT_VALUE, keyOf(name), keyOf(name));
      assert.equal(r.changes, 1);
    }
    db.close();

    server = await startServer({ dataDir });
    const k = kubectlFor(tools!.kubectl, server);

    await assertCorruptReported(k, server, ["bad", "bad2"], "good");

    // alice may delete, but not unsafely.
    const denied = await send(server, "DELETE", `${CMS}/bad?${UNSAFE}=true`, {
      headers: AS_ALICE,
    });
    assert.equal(denied.status, 403, JSON.stringify(denied.body));
    assert.match(
      String(denied.body.message),
      /^configmaps "bad" is forbidden: not permitted to do "unsafe-delete-ignore-read-errors"/,
    );
    const withDryRun = await send(
      server,
      "DELETE",
      `${CMS}/bad?${UNSAFE}=true&dryRun=All`,
    );
    assert.equal(withDryRun.status, 422);

    await grant(server, "unsafe", ["unsafe-delete-ignore-read-errors"]);
    const notCorrupt = await send(
      server,
      "DELETE",
      `${CMS}/good?${UNSAFE}=true`,
      { headers: AS_ALICE },
    );
    assert.equal(notCorrupt.status, 422, JSON.stringify(notCorrupt.body));
    assert.match(
      String(notCorrupt.body.message),
      /is exclusively used to delete corrupt object\(s\)/,
    );
    const byQuery = await send(server, "DELETE", `${CMS}/bad?${UNSAFE}=true`, {
      headers: AS_ALICE,
    });
    assert.equal(byQuery.status, 200, JSON.stringify(byQuery.body));
    const byBody = await send(server, "DELETE", `${CMS}/bad2`, {
      headers: AS_ALICE,
      body: { apiVersion: "v1", kind: "DeleteOptions", [UNSAFE]: true },
    });
    assert.equal(byBody.status, 200, JSON.stringify(byBody.body));

    // Lists and watches work again, without a restart.
    await assertRecovered(k, server, ["good"], "bad");
    const created = await k(["create", "cm", "after", "-n", "default"]);
    assert.match(created.stdout, /configmap\/after created/);
    assert.equal(
      (await send(server, "GET", `${CMS}/after?resourceVersion=0`)).status,
      200,
    );
  } finally {
    await server?.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
