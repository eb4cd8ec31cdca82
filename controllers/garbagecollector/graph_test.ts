import assert from "node:assert/strict";
import { nodeKey, OwnershipGraph } from "./graph.ts";
import type { ApiResource } from "../client/mod.ts";

const configmaps: ApiResource = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
  verbs: ["get", "list", "watch", "delete"],
};

Deno.test("graph nodes by cluster and uid: virtual owners, refs from objects, removal", () => {
  const g = new OwnershipGraph();
  const dependent = {
    metadata: {
      name: "d",
      namespace: "ns",
      uid: "u-d",
      ownerReferences: [{
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "o",
        uid: "u-o",
      }],
    },
  };
  const changes = g.observe("c1", configmaps, dependent);
  // The owner is virtual until observed, named by the reference.
  const owner = g.get("c1", "u-o")!;
  assert.ok(owner.virtual);
  assert.deepEqual(changes.attemptToDelete, [owner]);
  assert.deepEqual(owner.ref, {
    apiVersion: "v1",
    kind: "ConfigMap",
    name: "o",
  });
  assert.equal(g.size, 2);
  // The same uid in another cluster is another node.
  assert.equal(g.get("c2", "u-o"), undefined);
  assert.equal(g.byKey(nodeKey("c1", "u-d")), g.get("c1", "u-d"));
  assert.equal(g.byKey("no-bar"), undefined);
  // An observed node's ref is its object's (type meta from its resource).
  const d = g.get("c1", "u-d")!;
  assert.deepEqual(d.ref, { apiVersion: "v1", kind: "ConfigMap", name: "d" });
  assert.deepEqual([...owner.dependents], [d]);
  g.observe("c1", configmaps, {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "o", namespace: "ns", uid: "u-o" },
  });
  assert.ok(!owner.virtual);
  assert.deepEqual(owner.owners, []);
  // Removing the dependent keeps the observed owner; removing it empties all.
  g.remove("c1", "u-d");
  assert.equal(g.size, 1);
  assert.equal(owner.dependents.size, 0);
  g.remove("c1", "u-o");
  assert.equal(g.size, 0);
  assert.equal(g.get("c1", "u-o"), undefined);
});

Deno.test("a virtual owner whose last dependent goes is dropped", () => {
  const g = new OwnershipGraph();
  g.observe("c", configmaps, {
    metadata: {
      name: "d",
      uid: "u-d",
      ownerReferences: [{
        apiVersion: "v1",
        kind: "Secret",
        name: "s",
        uid: "u-s",
      }],
    },
  });
  assert.equal(g.size, 2);
  g.remove("c", "u-d");
  assert.equal(g.size, 0);
});
