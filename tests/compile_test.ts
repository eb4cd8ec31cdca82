/**
 * The single binary: `deno compile` of `main.ts`, then the compiled
 * `hyperplane` runs `version` and serves on the memory backend. `deno
 * compile` needs Deno's `denort` runtime, which it downloads; machines that
 * cannot reach the download site set `DENORT_BIN` to a local copy. Without
 * one this test cannot run and says so loudly (not as a skip: it is a
 * documented limit of such machines, not a missing service).
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startServer } from "./support/server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("the compiled binary prints its version and serves", async () => {
  const denort = Deno.env.get("DENORT_BIN");
  if (!denort) {
    console.error(
      "WARNING: compiled-binary test not run: DENORT_BIN is not set and deno compile " +
        "cannot download its denort runtime on this machine",
    );
    return;
  }
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/hyperplane`;
    const compile = await new Deno.Command(Deno.execPath(), {
      args: ["compile", "-A", "--output", out, "main.ts"],
      cwd: ROOT,
      env: { DENORT_BIN: denort },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(compile.code, 0, new TextDecoder().decode(compile.stderr));
    const version = await new Deno.Command(out, {
      args: ["version", "--output", "json"],
      stdout: "piped",
    }).output();
    assert.equal(version.code, 0);
    assert.match(
      JSON.parse(new TextDecoder().decode(version.stdout)).kubernetes,
      /^v1\./,
    );
    const server = await startServer({
      binary: out,
      args: ["--storage-backend", "memory"],
    });
    try {
      const res = await server.fetch("/api/v1/namespaces/default");
      assert.equal(res.status, 200);
      await res.body?.cancel();
    } finally {
      await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
