import assert from "node:assert/strict";
import { kubeTools, runTool } from "./kubectl.ts";
import { startServer, type StartServerOptions } from "./server.ts";

const STAND_IN = new URL("./_serving_stand_in.ts", import.meta.url).pathname;

Deno.test("a server that cannot start fails with its stderr tail", async () => {
  await assert.rejects(
    startServer({ args: ["--storage-backend", "no-such-backend"] }),
    (err) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /exited with code [1-9]/);
      assert.match(err.message, /no-such-backend/);
      return true;
    },
  );
});

Deno.test("a server that never gets ready fails after the timeout and is killed", async () => {
  const err = await startServer({
    entry:
      "data:text/javascript,console.error('stuck');setInterval(()=>{},1000)",
    readyTimeoutMs: 1_000,
  }).catch((e) => e);
  assert.ok(err instanceof Error);
  assert.match(
    err.message,
    /was not ready within the timeout \(no kubeconfig yet\)/,
  );
  assert.match(err.message, /stuck/);
});

async function lifecycle(t: Deno.TestContext, opts: StartServerOptions) {
  const server = await startServer(opts);
  try {
    await t.step("it is ready and serves the admin", async () => {
      const res = await server.fetch("/readyz");
      assert.equal(res.status, 200);
      assert.equal(await res.text(), "ok");
      const denied = await server.fetch("/api", {
        headers: { authorization: "Bearer wrong" },
      });
      assert.equal(denied.status, 401);
      await denied.body?.cancel();
    });

    await t.step("kubectl works with the written kubeconfig", async () => {
      const tools = await kubeTools();
      if (!tools) return;
      const out = await runTool(tools.kubectl, [
        "--kubeconfig",
        server.kubeconfigPath,
        "version",
        "-o",
        "json",
      ]);
      assert.ok(JSON.parse(out.stdout).serverVersion.gitVersion);
    });

    await t.step("a restart keeps the CA, the token and the port", async () => {
      const { caCert, token, port } = server;
      await server.restart();
      assert.equal(server.caCert, caCert);
      assert.equal(server.token, token);
      assert.equal(server.port, port);
      const res = await server.fetch("/livez");
      assert.equal(await res.text(), "ok");
    });
  } finally {
    await server.stop();
  }
  await assert.rejects(Deno.stat(server.dataDir), Deno.errors.NotFound);
}

Deno.test("the helper starts, restarts and stops a stand-in server", async (t) => {
  await lifecycle(t, { entry: STAND_IN });
});

Deno.test("the helper starts, restarts and stops the real hyperplane server", async (t) => {
  await lifecycle(t, { args: ["--storage-backend", "memory"] });
});
