import assert from "node:assert/strict";
import {
  cel,
  loadCel,
  loadTweetnacl,
  loadYaml,
  preloadLazyPackages,
  tweetnacl,
  yaml,
} from "./lazy_npm.ts";

Deno.test("yaml and tweetnacl are usable synchronously before any load", () => {
  assert.deepEqual(yaml().parse("a: [1, 2]"), { a: [1, 2] });
  assert.equal(tweetnacl().secretbox.overheadLength, 16);
});

Deno.test("the loaders hand back the module the accessors use", async () => {
  const y = await loadYaml();
  assert.equal(y.stringify({ a: 1 }), "a: 1\n");
  assert.equal(yaml().stringify({ b: 2 }), "b: 2\n");
  const nacl = await loadTweetnacl();
  assert.equal(nacl, tweetnacl());
  assert.equal(nacl.secretbox.keyLength, 32);
});

Deno.test("cel-js compiles synchronously before any load, and loads once", async () => {
  const env = new (cel().Environment)().registerVariable("x", "int");
  assert.equal(env.evaluate("x + 1", { x: 2n }), 3n);
  assert.equal(await loadCel(), cel());
});

Deno.test("preloading leaves every lazy package loaded for its accessor", async () => {
  await preloadLazyPackages();
  assert.equal(await loadYaml(), yaml());
  assert.equal(await loadTweetnacl(), tweetnacl());
  assert.equal(await loadCel(), cel());
});
