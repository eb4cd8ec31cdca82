/**
 * The sample binary is a thin user of the library: `server`, `apiserver`
 * and `controller-manager` are built from `../mod.ts` exports only, and no
 * module of `cli/` reaches past another folder's public face (its
 * `mod.ts`) into its private or inner files.
 */

import assert from "node:assert/strict";

const CLI = new URL("./", import.meta.url);

/** The import specifiers of a module (static and dynamic). */
async function importsOf(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(file, CLI));
  return [
    ...text.matchAll(/\bfrom\s+"([^"]+)"/g),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1]);
}

async function cliModules(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(CLI)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      out.push(e.name);
    }
  }
  return out.sort();
}

Deno.test("server, apiserver and controller-manager import only ../mod.ts from outside cli/", async () => {
  for (const file of ["server.ts", "controller_manager.ts"]) {
    const outside = (await importsOf(file)).filter((s) => s.startsWith("../"));
    assert.deepEqual([...new Set(outside)], ["../mod.ts"], file);
  }
});

Deno.test("no module of cli/ imports a private or inner file of another folder", async () => {
  const modules = await cliModules();
  assert.ok(modules.includes("server.ts"));
  for (const file of modules) {
    for (const spec of await importsOf(file)) {
      if (!spec.startsWith("../")) continue;
      assert.match(
        spec,
        /^\.\.\/(?:[a-z][a-z0-9_]*\/)*mod\.ts$/,
        `${file} imports ${spec}: use ../mod.ts or a folder's mod.ts`,
      );
    }
  }
});
