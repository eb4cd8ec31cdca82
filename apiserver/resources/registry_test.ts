import assert from "node:assert/strict";
import { ClusterRegistries } from "./registry.ts";
import type { ResourceDefinition } from "./types.ts";

function kind(group: string, version: string, plural: string) {
  return {
    group,
    version,
    plural,
    kind: plural,
    singular: plural,
    namespaced: true,
  } satisfies ResourceDefinition;
}

Deno.test("cluster registries add dynamic kinds per cluster", () => {
  const regs = new ClusterRegistries();
  const changed: string[] = [];
  const off = regs.subscribe((c) => changed.push(c));
  assert.equal(regs.forCluster("a"), regs.builtins);
  regs.set("a", "x.example.com", [kind("example.com", "v1", "xs")]);
  const a = regs.forCluster("a");
  assert.notEqual(a, regs.builtins);
  assert.equal(regs.forCluster("a"), a, "the view is kept while unchanged");
  assert.ok(a.lookup("example.com", "v1", "xs"));
  assert.equal(
    regs.forCluster("b").lookup("example.com", "v1", "xs"),
    undefined,
  );
  regs.set("a", "x.example.com", []);
  assert.equal(regs.forCluster("a"), regs.builtins);
  off();
  regs.set("a", "y", [kind("example.com", "v1", "ys")]);
  assert.deepEqual(changed, ["a", "a"]);
});

Deno.test("a group's versions are ordered by priority across CRDs", () => {
  const regs = new ClusterRegistries();
  regs.set("a", "a.example.com", [kind("example.com", "v1beta1", "as")]);
  regs.set("a", "b.example.com", [kind("example.com", "v1", "bs")]);
  const versions = regs.forCluster("a").groupVersions()
    .filter((g) => g.group === "example.com")
    .map((g) => g.version);
  assert.deepEqual(versions, ["v1", "v1beta1"]);
});

Deno.test("a dynamic kind never replaces a built-in one", () => {
  const regs = new ClusterRegistries();
  regs.set("a", "cm", [kind("", "v1", "configmaps")]);
  assert.equal(
    regs.forCluster("a").lookup("", "v1", "configmaps"),
    regs.builtins.lookup("", "v1", "configmaps"),
  );
});
