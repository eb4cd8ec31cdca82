import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { ClusterObjects, localKeyOf } from "./cluster_objects.ts";

const obj = (name: string, namespace?: string): KubeObject => ({
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

Deno.test("ClusterObjects keeps each cluster's objects apart and counts them all", () => {
  const objects = new ClusterObjects();
  objects.set("a", "default/x", obj("x", "default"));
  objects.set("b", "default/x", obj("x", "default"));
  objects.set("", "x", obj("x"));
  assert.equal(objects.size, 3);
  // Replacing an object does not count it twice.
  const again = obj("x", "default");
  objects.set("a", "default/x", again);
  assert.equal(objects.size, 3);
  assert.equal(objects.get("a", "default/x"), again);
  assert.ok(objects.has("b", "default/x"));
  assert.ok(!objects.has("c", "default/x"));
  assert.equal(objects.get("c", "default/x"), undefined);
  assert.deepEqual(
    [...objects.entries()].map(([c, k]) => `${c}|${k}`),
    ["a|default/x", "b|default/x", "|x"],
  );
  assert.equal([...objects.values()].length, 3);
  assert.ok(objects.delete("a", "default/x"));
  assert.ok(!objects.delete("a", "default/x"), "already gone");
  assert.ok(!objects.delete("nowhere", "x"));
  assert.equal(objects.size, 2);
  assert.equal(objects.get("a", "default/x"), undefined);
});

Deno.test("localKeyOf is namespace/name, or the name of a cluster-scoped object", () => {
  assert.equal(localKeyOf(obj("x", "ns")), "ns/x");
  assert.equal(localKeyOf(obj("a|b")), "a|b");
});
