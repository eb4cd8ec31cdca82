import assert from "node:assert/strict";
import {
  bundledPackagePaths,
  installedVersions,
  VERSIONS_PREFIX,
} from "./build.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

Deno.test("x509.js bundles the installed versions of @peculiar/x509 and its dependencies (else: run internal/x509/build.ts)", async () => {
  const bundle = await Deno.readTextFile(`${root}/internal/x509/x509.js`);
  const line = bundle.split("\n").find((l) => l.startsWith(VERSIONS_PREFIX));
  assert.ok(line, "x509.js has no version line");
  const recorded = line.slice(VERSIONS_PREFIX.length).split(" ");
  const paths = bundledPackagePaths(bundle);
  assert.ok(paths.includes("node_modules/@peculiar/x509"));
  assert.deepEqual(recorded, await installedVersions(root, paths));
});

Deno.test("x509.js exports what @peculiar/x509 exports", async () => {
  const bundled = await import("./x509.js");
  await import("reflect-metadata");
  const npm = await import("@peculiar/x509");
  // Loaded as CommonJS, the package also has `default` and `module.exports`.
  const named = Object.keys(npm).filter((k) =>
    k !== "default" && k !== "module.exports"
  );
  assert.deepEqual(Object.keys(bundled).sort(), named.sort());
});
