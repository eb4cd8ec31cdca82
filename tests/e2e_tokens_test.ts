/**
 * End-to-end service account tokens with the real kubectl (v1.35 and the
 * preinstalled v1.32): `kubectl create token` against a real `hyperplane
 * server` on SQLite, the token used with `--token`, surviving a restart (the
 * signing key is kept in the data dir) and dying with its service account.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

Deno.test("kubectl create token issues service account tokens the server accepts", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl create token")) return;
  const server = await startServer();
  try {
    const kubectls: [string, Kubectl][] = [[
      "v1.35",
      kubectlFor(tools!.kubectl, server),
    ]];
    if (tools!.systemKubectl) {
      kubectls.push(["v1.32", kubectlFor(tools!.systemKubectl, server)]);
    } else {
      console.error(
        "SKIPPED: preinstalled kubectl v1.32 not found (only v1.35 tested)",
      );
    }
    const kubectl = kubectls[0][1];
    await kubectl(["create", "serviceaccount", "ci", "-n", "default"]);
    const whoami = async (k: Kubectl, token: string) => {
      const out = await k(["--token", token, "auth", "whoami", "-o", "json"], {
        check: false,
      });
      return out.code === 0
        ? JSON.parse(out.stdout).status.userInfo
        : out.stderr.trim();
    };
    const tokens: string[] = [];

    for (const [version, k] of kubectls) {
      await t.step(
        `${version}: create token, then act as the account`,
        async () => {
          const out = await k([
            "create",
            "token",
            "ci",
            "-n",
            "default",
            "--duration=20m",
          ]);
          const token = out.stdout.trim();
          assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
          tokens.push(token);
          const info = await whoami(k, token);
          assert.equal(info.username, "system:serviceaccount:default:ci");
          assert.deepEqual(info.groups, [
            "system:serviceaccounts",
            "system:serviceaccounts:default",
            "system:authenticated",
          ]);
          // authenticated, but nothing grants the account anything yet
          const get = await k(["--token", token, "get", "configmaps"], {
            check: false,
          });
          assert.notEqual(get.code, 0);
          assert.match(
            get.stderr,
            /Forbidden.*User "system:serviceaccount:default:ci" cannot list resource "configmaps"/,
          );
        },
      );
    }

    await t.step(
      "bad requests are refused with upstream's messages",
      async () => {
        const short = await kubectl(
          ["create", "token", "ci", "--duration=5m"],
          {
            check: false,
          },
        );
        assert.notEqual(short.code, 0);
        assert.match(
          short.stderr,
          /may not specify a duration less than 10 minutes/,
        );
        const missing = await kubectl(["create", "token", "nobody"], {
          check: false,
        });
        assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
        const foreign = await kubectl([
          "create",
          "token",
          "ci",
          "--audience=vault",
        ]);
        const refused = await whoami(kubectl, foreign.stdout.trim());
        assert.match(String(refused), /Unauthorized/);
      },
    );

    await t.step(
      "the account can read the issuer discovery documents",
      async () => {
        const conf = JSON.parse(
          (await kubectl([
            "--token",
            tokens[0],
            "get",
            "--raw",
            "/.well-known/openid-configuration",
          ])).stdout,
        );
        assert.equal(
          conf.issuer,
          "https://kubernetes.default.svc.cluster.local",
        );
        const jwks = JSON.parse(
          (await kubectl([
            "--token",
            tokens[0],
            "get",
            "--raw",
            "/openid/v1/jwks",
          ]))
            .stdout,
        );
        const kid = JSON.parse(atob(tokens[0].split(".")[0])).kid;
        assert.deepEqual(jwks.keys.map((k: { kid: string }) => k.kid), [kid]);
      },
    );

    await t.step("tokens survive a server restart", async () => {
      await server.restart();
      assert.equal(
        (await whoami(kubectl, tokens[0])).username,
        "system:serviceaccount:default:ci",
      );
    });

    await t.step(
      "deleting the service account revokes its tokens",
      async () => {
        await kubectl(["delete", "serviceaccount", "ci", "-n", "default"]);
        for (const token of tokens) {
          assert.match(String(await whoami(kubectl, token)), /Unauthorized/);
        }
      },
    );
  } finally {
    await server.stop();
  }
});
