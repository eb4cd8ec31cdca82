import assert from "node:assert/strict";
import { metadataOf } from "./partial_metadata.ts";

const widgets = {
  group: "example.com",
  version: "v1",
  resource: "widgets",
  kind: "Widget",
};

Deno.test("metadataOf names a server's PartialObjectMetadata by its resource", () => {
  const got = metadataOf(widgets, {
    kind: "PartialObjectMetadata",
    apiVersion: "meta.k8s.io/v1",
    metadata: { name: "a", uid: "u", managedFields: [{ manager: "m" }] },
  });
  assert.deepEqual(got, {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "a", uid: "u" },
  });
  // without a known kind, none is made up
  const { kind: _, ...unnamed } = widgets;
  assert.equal(
    metadataOf(unnamed, {
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: { name: "a" },
    }).kind,
    undefined,
  );
});

Deno.test("metadataOf trims a whole object (a server that does not convert)", () => {
  assert.deepEqual(
    metadataOf(widgets, {
      kind: "Widget",
      apiVersion: "example.com/v1",
      metadata: { name: "a", managedFields: [] },
      spec: { size: 1 },
    }),
    { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "a" } },
  );
});

Deno.test("metadata views share identical labels and annotations, frozen", () => {
  const view = (name: string, env: string) =>
    metadataOf(widgets, {
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: {
        name,
        labels: { app: "w", env },
        annotations: { "example.com/note": "same" },
      },
    });
  const a = view("a", "prod");
  const b = view("b", "prod");
  const c = view("c", "dev");
  assert.deepEqual(a.metadata.labels, { app: "w", env: "prod" });
  assert.deepEqual(c.metadata.labels, { app: "w", env: "dev" });
  assert.equal(a.metadata.labels, b.metadata.labels);
  assert.notEqual(a.metadata.labels, c.metadata.labels);
  assert.equal(a.metadata.annotations, c.metadata.annotations);
  assert.ok(Object.isFrozen(a.metadata.labels));
  assert.equal(a.apiVersion, c.apiVersion);
  // The object itself stays the caller's to change.
  assert.ok(!Object.isFrozen(a.metadata));
});

Deno.test("metadata views keep their names, namespaces and creation times through the shared strings", () => {
  const views = ["a", "b", "a"].map((name) =>
    metadataOf(widgets, {
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: JSON.parse(JSON.stringify({
        name,
        namespace: "kube-system",
        generateName: `${name}-`,
        creationTimestamp: "2026-12-07T21:42:39Z",
        uid: `uid-${name}`,
      })),
    })
  );
  assert.deepEqual(
    views.map((v) => v.metadata),
    [
      ["a", "uid-a"],
      ["b", "uid-b"],
      ["a", "uid-a"],
    ].map(([name, uid]) => ({
      name,
      namespace: "kube-system",
      generateName: `${name}-`,
      creationTimestamp: "2026-12-07T21:42:39Z",
      uid,
    })),
  );
});
