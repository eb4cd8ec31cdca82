/**
 * End-to-end ResourceQuota with the real kubectl v1.35 against a real
 * `hyperplane server`: `kubectl create quota` limits configmaps (the refused
 * create gets upstream's message), `kubectl get quota` and `kubectl
 * describe quota` show used/hard, and deleting a configmap frees a slot
 * once the `resourcequota` controller has recounted.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

/** Polls kubectl until `cond` holds on its output (~30 s). */
async function until(
  k: Kubectl,
  args: string[],
  cond: (stdout: string) => boolean,
  what: string,
): Promise<string> {
  let last = "";
  for (let i = 0; i < 300; i++) {
    const r = await k(args, { check: false });
    last = r.stdout + r.stderr;
    if (r.code === 0 && cond(r.stdout)) return r.stdout;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${last}`);
}

Deno.test("kubectl create quota limits configmaps; a delete frees a slot", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "ResourceQuota e2e")) return;
  await using server = await startServer();
  const k = kubectlFor(tools!.kubectl, server);
  await k(["create", "namespace", "x"]);
  // The root CA publisher's kube-root-ca.crt is a configmap too, and counts
  // (as upstream): wait for it so the count below is exact.
  await until(
    k,
    ["get", "configmap", "kube-root-ca.crt", "-n", "x", "-o", "name"],
    (out) => out.includes("kube-root-ca.crt"),
    "kube-root-ca.crt",
  );

  await t.step(
    "kubectl create quota; the controller fills its status",
    async () => {
      const r = await k([
        "create",
        "quota",
        "q",
        "--hard=count/configmaps=2",
        "-n",
        "x",
      ]);
      assert.match(r.stdout, /resourcequota\/q created/);
      await until(
        k,
        ["get", "quota", "q", "-n", "x", "-o", "jsonpath={.status.used}"],
        (out) => out === '{"count/configmaps":"1"}',
        "status.used",
      );
    },
  );

  await t.step(
    "the configmap over hard is refused with upstream's message",
    async () => {
      await k(["create", "configmap", "c1", "-n", "x"]);
      const r = await k(["create", "configmap", "c2", "-n", "x"], {
        check: false,
      });
      assert.notEqual(r.code, 0);
      assert.equal(
        r.stderr.trim(),
        'error: failed to create configmap: configmaps "c2" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: count/configmaps=2, limited: count/configmaps=2',
      );
    },
  );

  await t.step("kubectl get and describe show used/hard", async () => {
    const get = await k(["get", "quota", "-n", "x"]);
    const [head, row] = get.stdout.trim().split("\n");
    assert.deepEqual(head.split(/\s+/), ["NAME", "AGE", "REQUEST", "LIMIT"]);
    assert.match(row, /^q\s+\S+\s+count\/configmaps: 2\/2\s*$/);
    const short = await k(["get", "quota", "q", "-n", "x", "-o", "name"]);
    assert.equal(short.stdout.trim(), "resourcequota/q");
    const d = await k(["describe", "quota", "-n", "x"]);
    assert.match(d.stdout, /^Name:\s+q$/m);
    assert.match(d.stdout, /^Namespace:\s+x$/m);
    assert.match(d.stdout, /^Resource\s+Used\s+Hard$/m);
    assert.match(d.stdout, /^count\/configmaps\s+2\s+2$/m);
  });

  await t.step(
    "deleting a configmap frees a slot once the controller recounts",
    async () => {
      await k(["delete", "configmap", "c1", "-n", "x"]);
      await until(
        k,
        ["describe", "quota", "q", "-n", "x"],
        (out) => /^count\/configmaps\s+1\s+2$/m.test(out),
        "used 1 after the delete",
      );
      const r = await k(["create", "configmap", "c2", "-n", "x"]);
      assert.match(r.stdout, /configmap\/c2 created/);
    },
  );

  await t.step(
    "32 concurrent creates against count/secrets=10: exactly 10 succeed, used never above hard",
    async () => {
      await k(["create", "namespace", "race"]);
      await k([
        "create",
        "quota",
        "s",
        "--hard=count/secrets=10",
        "-n",
        "race",
      ]);
      await until(
        k,
        ["get", "quota", "s", "-n", "race", "-o", "jsonpath={.status.used}"],
        (out) => out === '{"count/secrets":"0"}',
        "status.used",
      );
      const base = "/api/v1/namespaces/race";
      let running = true;
      let maxUsed = 0;
      const sampler = (async () => {
        while (running) {
          const r = await server.fetch(`${base}/resourcequotas/s`);
          const used = (await r.json()).status?.used?.["count/secrets"];
          maxUsed = Math.max(maxUsed, Number(used ?? 0));
        }
      })();
      const codes = await Promise.all(
        Array.from({ length: 32 }, async (_, i) => {
          const r = await server.fetch(`${base}/secrets`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ metadata: { name: `s${i}` } }),
          });
          await r.body?.cancel();
          return r.status;
        }),
      );
      running = false;
      await sampler;
      assert.equal(codes.filter((c) => c === 201).length, 10);
      assert.equal(codes.filter((c) => c === 403).length, 22);
      assert.ok(maxUsed <= 10, `used reached ${maxUsed}`);
      const list = await server.fetch(`${base}/secrets`);
      assert.equal((await list.json()).items.length, 10);
      const q = await server.fetch(`${base}/resourcequotas/s`);
      assert.deepEqual((await q.json()).status.used, { "count/secrets": "10" });
    },
  );

  await t.step("invalid quotas are refused (422)", async () => {
    const r = await k(
      ["create", "quota", "bad", "--hard=count/configmaps=-1", "-n", "x"],
      { check: false },
    );
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /ResourceQuota "bad" is invalid: spec.hard\[count\/configmaps\]: Invalid value: "-1": must be greater than or equal to 0/,
    );
  });

  await t.step("kubectl explain reads the schema", async () => {
    const r = await k(["explain", "resourcequota.spec.hard"]);
    assert.match(r.stdout, /hard is the set of desired hard limits/);
  });
});
