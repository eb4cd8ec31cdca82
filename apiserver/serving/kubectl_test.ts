import assert from "node:assert/strict";
import type { ApiHandler } from "../request_context.ts";
import {
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "../../tests/support/kubectl.ts";
import { startFixture } from "../../tests/support/serving_fixture.ts";

const VERSION = {
  major: "1",
  minor: "35",
  gitVersion: "v1.35.0-hyperplane",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "deno",
  compiler: "deno",
  platform: "linux/amd64",
};

const handler: ApiHandler = (req, ctx) => {
  const path = new URL(req.url).pathname;
  if (path === "/version") return Promise.resolve(Response.json(VERSION));
  return Promise.resolve(
    Response.json({
      path,
      user: ctx.user.username,
    }),
  );
};

Deno.test("real kubectl talks to the secure server with the written kubeconfig", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl against the secure server")) return;
  const fx = await startFixture(handler);
  try {
    const clients = [["kubectl v1.35", tools!.kubectl]];
    if (tools!.systemKubectl) {
      clients.push(["system kubectl", tools!.systemKubectl]);
    }
    for (const [name, bin] of clients) {
      await t.step(
        `${name}: version -o json verifies TLS and reads /version`,
        async () => {
          const out = await runTool(bin, [
            "--kubeconfig",
            fx.kubeconfigPath,
            "version",
            "-o",
            "json",
          ]);
          assert.deepEqual(JSON.parse(out.stdout).serverVersion, VERSION);
        },
      );

      await t.step(
        `${name}: the admin token reaches authenticated paths`,
        async () => {
          const out = await runTool(bin, [
            "--kubeconfig",
            fx.kubeconfigPath,
            "get",
            "--raw",
            "/apis",
          ]);
          assert.equal(JSON.parse(out.stdout).user, "admin");
        },
      );

      await t.step(
        `${name}: a wrong token is refused as Unauthorized`,
        async () => {
          const out = await runTool(bin, [
            "--kubeconfig",
            fx.kubeconfigPath,
            "--token",
            "wrong",
            "get",
            "--raw",
            "/apis",
          ], { check: false });
          assert.notEqual(out.code, 0);
          assert.match(out.stderr, /Unauthorized/);
        },
      );

      await t.step(
        `${name}: health endpoints answer through kubectl`,
        async () => {
          const out = await runTool(bin, [
            "--kubeconfig",
            fx.kubeconfigPath,
            "get",
            "--raw",
            "/readyz?verbose",
          ]);
          assert.match(out.stdout, /readyz check passed/);
        },
      );
    }
  } finally {
    await fx.dispose();
  }
});
