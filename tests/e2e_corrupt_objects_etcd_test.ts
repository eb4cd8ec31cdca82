/**
 * Corrupt objects end to end on etcd (KEP-3926): a real `hyperplane server`
 * on a real etcd with the real kubectl v1.35. A ConfigMap's value is
 * replaced in etcd while the server runs (a plain put below the store, as a
 * hand edit would), then `kubectl get` names the corrupt key, a list fails
 * naming it, a plain delete cannot remove it, the unsafe delete
 * (`ignoreStoreReadErrorWithClusterBreakingPotential`) refuses a readable
 * object and removes the corrupt one, and lists and watches work again —
 * the same answers as on SQLite (`e2e_corrupt_objects_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import {
  etcdServerArgs,
  putRaw,
  skipWithoutEtcd,
  startEtcd,
} from "./support/etcd.ts";
import { startServer } from "./support/server.ts";
import { eventually } from "./support/controllers.ts";
import {
  assertCorruptReported,
  assertRecovered,
  CONFIG_MAPS as CMS,
  configMapKey as keyOf,
  CORRUPT_VALUE,
  UNSAFE_DELETE as UNSAFE,
} from "./support/corrupt_objects.ts";

Deno.test("corrupt objects on etcd: get, list and delete name the key; the unsafe delete removes only it and the resource recovers", async () => {
  if (skipWithoutEtcd("corrupt objects e2e on etcd")) return;
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "corrupt objects e2e on etcd")) return;
  const etcd = await startEtcd();
  try {
    await using server = await startServer({
      args: [
        ...etcdServerArgs(etcd),
        "--controllers",
        "-*",
      ],
    });
    const k = kubectlFor(tools!.kubectl, server);
    for (const name of ["good", "bad"]) {
      await k([
        "create",
        "cm",
        name,
        "-n",
        "default",
        `--from-literal=k=${name}`,
      ]);
    }
    await putRaw(etcd.endpoints[0], keyOf("bad"), CORRUPT_VALUE);

    // The server's watch cache hears of the change; reads then name the key.
    await eventually(
      async () => {
        const bad = await k(["get", "cm", "bad", "-n", "default"], {
          check: false,
        });
        return bad.code !== 0 && /corrupt object/.test(bad.stderr);
      },
      "the corrupt object to be reported",
      { attempts: 120, intervalMs: 250 },
    );
    await assertCorruptReported(k, server, ["bad"], "good");

    const notCorrupt = await server.fetch(`${CMS}/good?${UNSAFE}=true`, {
      method: "DELETE",
    });
    const notCorruptBody = await notCorrupt.json();
    assert.equal(notCorrupt.status, 422, JSON.stringify(notCorruptBody));
    assert.match(
      String(notCorruptBody.message),
      /is exclusively used to delete corrupt object\(s\)/,
    );
    const unsafe = await server.fetch(`${CMS}/bad?${UNSAFE}=true`, {
      method: "DELETE",
    });
    assert.equal(unsafe.status, 200, await unsafe.text());

    // Lists and watches work again, without a restart.
    await assertRecovered(k, server, ["good"], "bad");
  } finally {
    await etcd.stop();
  }
});
