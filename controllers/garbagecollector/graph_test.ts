import assert from "node:assert/strict";
import { nodeKey, OwnershipGraph } from "./graph.ts";
import { type ApiResource, CLUSTER_ANNOTATION } from "../client/mod.ts";

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

Deno.test("one uid in three clusters (copied data): three nodes, each removed alone", () => {
  const g = new OwnershipGraph();
  const obj = (ns: string) => ({
    metadata: { name: "o", namespace: ns, uid: "same" },
  });
  g.observe("c1", configmaps, obj("a"));
  g.observe("c2", configmaps, obj("b"));
  g.observe("c3", configmaps, obj("c"));
  assert.equal(g.size, 3);
  assert.deepEqual(
    ["c1", "c2", "c3"].map((c) => g.get(c, "same")?.namespace),
    ["a", "b", "c"],
  );
  // The first cluster's node goes: the others are still found, and a
  // fourth cluster's node with that uid is a node of its own.
  g.remove("c1", "same");
  assert.equal(g.get("c1", "same"), undefined);
  assert.equal(g.get("c2", "same")?.cluster, "c2");
  g.observe("c4", configmaps, obj("d"));
  assert.equal(g.size, 3);
  g.remove("c2", "same");
  g.remove("c2", "same");
  assert.deepEqual(
    ["c1", "c2", "c3", "c4"].map((c) => g.get(c, "same")?.namespace),
    [undefined, undefined, "c", "d"],
  );
  g.remove("c3", "same");
  g.remove("c4", "same");
  assert.equal(g.size, 0);
});

Deno.test("a node's uid and namespace are its object's; links live only while there are some", () => {
  const g = new OwnershipGraph();
  const ref = { apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "u-o" };
  g.observe("c", configmaps, {
    metadata: {
      name: "d",
      namespace: "ns",
      uid: "u-d",
      ownerReferences: [ref],
    },
  });
  const owner = g.get("c", "u-o")!;
  // A virtual owner takes its dependent's namespace until observed.
  assert.equal(owner.uid, "u-o");
  assert.equal(owner.namespace, "ns");
  g.observe("c", configmaps, {
    metadata: { name: "o", namespace: "other", uid: "u-o" },
  });
  assert.equal(owner.namespace, "other");
  const d = g.get("c", "u-d")!;
  assert.deepEqual(d.owners.map((r) => r.uid), ["u-o"]);
  // The dependent drops its owner reference: no links left either way.
  g.observe("c", configmaps, {
    metadata: { name: "d", namespace: "ns", uid: "u-d" },
  });
  assert.deepEqual(d.owners, []);
  assert.equal(owner.dependents.size, 0);
  assert.equal(d.uid, "u-d");
  assert.equal(d.namespace, "ns");
});

/** A metadata view as a cross-cluster informer delivers it. */
function view(
  cluster: string,
  name: string,
  uid: string,
  extra: Record<string, unknown> = {},
) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: "ns",
      uid,
      annotations: { [CLUSTER_ANNOTATION]: cluster },
      ...extra,
    },
  };
}

Deno.test("objects without owners or dependents: found as nodes, linked, deleted, collided", () => {
  const g = new OwnershipGraph();
  g.observe("c1", configmaps, view("c1", "o", "u-o"));
  g.observe("c1", configmaps, view("c1", "p", "u-p"));
  assert.equal(g.size, 2);
  // Asked for: a node of its own with its object, resource and ref.
  const p = g.get("c1", "u-p")!;
  assert.equal(p.virtual, false);
  assert.equal(p.resource, configmaps);
  assert.deepEqual(p.ref, { apiVersion: "v1", kind: "ConfigMap", name: "p" });
  assert.equal(g.get("c1", "u-p"), p);
  assert.equal(g.get("c2", "u-o"), undefined);
  // A dependent links to the observed owner: no virtual node, no check.
  const ownerRef = {
    apiVersion: "v1",
    kind: "ConfigMap",
    name: "o",
    uid: "u-o",
  };
  const changes = g.observe(
    "c1",
    configmaps,
    view("c1", "d", "u-d", { ownerReferences: [ownerRef] }),
  );
  assert.deepEqual(changes.attemptToDelete, []);
  const o = g.get("c1", "u-o")!;
  assert.equal(o.virtual, false);
  assert.deepEqual([...o.dependents].map((d) => d.uid), ["u-d"]);
  assert.equal(g.size, 3);
  // Its removal hands its dependents to the collector.
  assert.deepEqual(
    g.remove("c1", "u-o").attemptToDelete.map((n) => n.uid),
    ["u-d"],
  );
  // A deletion of an object nobody linked: gone, nothing to do.
  g.observe("c1", configmaps, view("c1", "q", "u-q"));
  assert.deepEqual(g.remove("c1", "u-q").attemptToDelete, []);
  assert.equal(g.get("c1", "u-q"), undefined);
  // Being deleted in the foreground: a node the collector is told about.
  const deleting = g.observe(
    "c1",
    configmaps,
    view("c1", "p2", "u-p2", {
      deletionTimestamp: "2026-01-01T00:00:00Z",
      finalizers: ["foregroundDeletion"],
    }),
  );
  assert.deepEqual(deleting.attemptToDelete.map((n) => n.uid), ["u-p2"]);
  // The same uid in another cluster (copied data) is another entry.
  g.observe("c2", configmaps, view("c2", "o2", "u-d"));
  assert.equal(g.get("c2", "u-d")?.ref.name, "o2");
  assert.equal(g.get("c1", "u-d")?.ref.name, "d");
  g.remove("c2", "u-d");
  assert.equal(g.get("c2", "u-d"), undefined);
  assert.equal(g.get("c1", "u-d")?.ref.name, "d");
});

Deno.test("an object of another resource of the same type keeps its own resource", () => {
  const g = new OwnershipGraph();
  const other: ApiResource = { ...configmaps, resource: "configmapz" };
  g.observe("c1", configmaps, view("c1", "a", "u-a"));
  g.observe("c2", other, view("c2", "b", "u-b"));
  assert.equal(g.get("c1", "u-a")!.resource, configmaps);
  assert.equal(g.get("c2", "u-b")!.resource, other);
  // A copy of the resource (rediscovery) is the same resource.
  g.observe("c3", { ...configmaps }, view("c3", "c", "u-c"));
  assert.equal(g.get("c3", "u-c")!.resource!.resource, "configmaps");
});
