/**
 * The published surface stays documented: `deno doc --lint` finds every
 * export of every entrypoint in deno.json's `exports` (and what it refers
 * to) documented and public.
 */

import assert from "node:assert/strict";

Deno.test("deno doc --lint finds nothing to complain about in any entrypoint", async () => {
  const root = new URL("./", import.meta.url).pathname;
  const config = JSON.parse(await Deno.readTextFile(`${root}deno.json`));
  const entries = Object.values(config.exports as Record<string, string>);
  assert.ok(entries.length >= 5, `exports: ${entries.join(", ")}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...entries],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.equal(
    out.code,
    0,
    text.split("\n").filter((l) => /error|-->/.test(l)).slice(0, 40).join(
      "\n",
    ),
  );
});
