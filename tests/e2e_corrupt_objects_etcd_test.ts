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
import { putRaw, skipWithoutEtcd, startEtcd } from "./support/etcd.ts";
import { startServer } from "./support/server.ts";

const CMS = "/api/v1/namespaces/default/configmaps";
const UNSAFE = "ignoreStoreReadErrorWithClusterBreakingPotential";
const keyOf = (name: string) =>
  `/registry/configmaps/clusters/root/default/${name}`;

/** Polls `check` every 250 ms for up to 30 s. */
async function eventually(what: string, check: () => Promise<boolean>) {
  for (let i = 0; i < 120; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

Deno.test("corrupt objects on etcd: get, list and delete name the key; the unsafe delete removes only it and the resource recovers", async () => {
  if (skipWithoutEtcd("corrupt objects e2e on etcd")) return;
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "corrupt objects e2e on etcd")) return;
  const etcd = await startEtcd();
  try {
    await using server = await startServer({
      args: [
        "--storage-backend",
        "etcd",
        "--etcd-servers",
        etcd.endpoints.join(","),
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
    await putRaw(
      etcd.endpoints[0],
      keyOf("bad"),
      '{"kind":"ConfigMap",garbage',
    );

    // The server's watch cache hears of the change; reads then name the key.
    await eventually("the corrupt object to be reported", async () => {
      const bad = await k(["get", "cm", "bad", "-n", "default"], {
        check: false,
      });
      return bad.code !== 0 && /corrupt object/.test(bad.stderr);
    });
    const bad = await k(["get", "cm", "bad", "-n", "default"], {
      check: false,
    });
    assert.match(
      bad.stderr,
      /Internal error occurred: StorageError: corrupt object, Code: 7, Key: \/registry\/configmaps\/clusters\/root\/default\/bad, /,
    );
    const good = await k(["get", "cm", "good", "-n", "default", "-o", "json"]);
    assert.equal(JSON.parse(good.stdout).data.k, "good");

    const list = await server.fetch(CMS);
    const listBody = await list.json();
    assert.equal(list.status, 500);
    assert.equal(listBody.reason, "StorageReadError");
    assert.deepEqual(
      (listBody.details.causes as { field: string }[]).map((c) => c.field),
      [keyOf("bad")],
    );
    const kList = await k(["get", "cm", "-n", "default"], { check: false });
    assert.notEqual(kList.code, 0);
    assert.match(
      kList.stderr,
      /failed to read one or more configmaps from the storage/,
    );

    const kDelete = await k(["delete", "cm", "bad", "-n", "default"], {
      check: false,
    });
    assert.notEqual(kDelete.code, 0);
    assert.match(kDelete.stderr, /corrupt object/);

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
    await eventually("the list to work again", async () => {
      const names = await k([
        "get",
        "cm",
        "-n",
        "default",
        "-o",
        "jsonpath={.items[*].metadata.name}",
      ], { check: false });
      return names.code === 0 &&
        names.stdout.split(" ").filter((n) => n !== "kube-root-ca.crt")
            .join() === "good";
    });
    const gone = await k(["get", "cm", "bad", "-n", "default"], {
      check: false,
    });
    assert.match(gone.stderr, /NotFound/);
    await eventually("a watch that lists the remaining objects", async () => {
      const res = await server.fetch(
        `${CMS}?watch=1&resourceVersion=0&timeoutSeconds=1`,
      );
      const text = await res.text();
      return res.status === 200 && text.includes('"name":"good"') &&
        !text.includes('"type":"ERROR"');
    });
  } finally {
    await etcd.stop();
  }
});
