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
