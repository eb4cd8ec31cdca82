/**
 * End-to-end user impersonation with the real kubectl v1.35: `--as`,
 * `--as-group`, `--as-uid` against a real `hyperplane server`, as admin
 * (`system:masters`, may impersonate) and as an unprivileged token user.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

/** An unprivileged user known to the server's token file. */
const BOB_TOKEN = "bob-token-for-e2e-impersonation";

Deno.test("kubectl --as impersonates as kube-apiserver does", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl impersonation")) return;
  const dataDir = await Deno.makeTempDir({
    prefix: "hyperplane-impersonation-",
  });
  await Deno.mkdir(`${dataDir}/auth`, { recursive: true });
  await Deno.writeTextFile(
    `${dataDir}/auth/tokens.csv`,
    `${BOB_TOKEN},bob,bob-uid,"devs"\n`,
  );
  const server = await startServer({
    args: ["--storage-backend", "memory"],
    dataDir,
  });
  try {
    const kubectl = kubectlFor(tools!.kubectl, server, dataDir);
    const asBob: Kubectl = (args, opts) =>
      kubectl(["--token", BOB_TOKEN, ...args], opts);

    await t.step("auth whoami shows the impersonated user", async () => {
      const out = await kubectl(["--as=bob", "auth", "whoami", "-o", "json"]);
      const info = JSON.parse(out.stdout).status.userInfo;
      assert.equal(info.username, "bob");
      assert.deepEqual(info.groups, ["system:authenticated"]);
      const sa = await kubectl([
        "--as=system:serviceaccount:default:bot",
        "auth",
        "whoami",
        "-o",
        "json",
      ]);
      assert.deepEqual(JSON.parse(sa.stdout).status.userInfo, {
        username: "system:serviceaccount:default:bot",
        groups: [
          "system:serviceaccounts",
          "system:serviceaccounts:default",
          "system:authenticated",
        ],
      });
      const full = await kubectl([
        "--as=bob",
        "--as-group=devs",
        "--as-group=qa",
        "--as-uid=u-7",
        "auth",
        "whoami",
      ]);
      assert.match(full.stdout, /Username\s+bob/);
      assert.match(full.stdout, /UID\s+u-7/);
      assert.match(full.stdout, /Groups\s+\[devs qa system:authenticated\]/);
    });

    await t.step(
      "the impersonated user is authorized, not the caller",
      async () => {
        const r = await kubectl(["--as=bob", "get", "cm", "-n", "default"], {
          check: false,
        });
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /configmaps is forbidden: User "bob" cannot list resource "configmaps" in API group "" in the namespace "default"/,
        );
        const can = await kubectl(
          [
            "--as=system:serviceaccount:default:bot",
            "auth",
            "can-i",
            "get",
            "cm",
          ],
          { check: false },
        );
        assert.equal(can.stdout.trim(), "no");
        assert.equal(can.code, 1);
      },
    );

    await t.step("impersonating system:masters grants its rights", async () => {
      await kubectl(["create", "configmap", "imp", "-n", "default"]);
      const r = await kubectl([
        "--as=bob",
        "--as-group=system:masters",
        "get",
        "cm",
        "imp",
        "-n",
        "default",
        "-o",
        "name",
      ]);
      assert.equal(r.stdout.trim(), "configmap/imp");
      const can = await kubectl([
        "--as=bob",
        "--as-group=system:masters",
        "auth",
        "can-i",
        "delete",
        "secrets",
      ]);
      assert.equal(can.stdout.trim(), "yes");
    });

    await t.step("an unprivileged user cannot impersonate", async () => {
      // (kubectl auth whoami hides any 403 behind its own "not enabled"
      // message, so a get shows the server's answer.)
      const r = await asBob(["--as=alice", "get", "namespaces"], {
        check: false,
      });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        /users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope/,
      );
      const masters = await asBob(
        ["--as=bob", "--as-group=system:masters", "get", "cm"],
        { check: false },
      );
      assert.equal(masters.code, 1);
      assert.match(masters.stderr, /cannot impersonate resource/);
      const self = await asBob(["auth", "whoami"]);
      assert.match(self.stdout, /Username\s+bob/);
    });

    await t.step("a group without a user is a bad request", async () => {
      const r = await kubectl(["--as-group=system:masters", "get", "ns"], {
        check: false,
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /without impersonating a user/);
    });
  } finally {
    await server.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
