/**
 * The published surface stays documented: `deno doc --lint` finds every
 * export of the root module (and what it refers to) documented and public.
 */

import assert from "node:assert/strict";

Deno.test("deno doc --lint mod.ts finds nothing to complain about", async () => {
  const root = new URL("./", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", "mod.ts"],
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
