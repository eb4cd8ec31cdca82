import assert from "node:assert/strict";
import {
  FieldSet,
  FieldsV1Error,
  fromFieldsV1,
  pathString,
  toFieldSet,
  toFieldsV1,
} from "./mod.ts";
import { keyElement } from "./path.ts";
import { POD } from "../../tests/support/apply_schema.ts";

Deno.test("a map with entries encodes with a '.' marker as kube-apiserver writes it", () => {
  const set = FieldSet.of([{ field: "data" }], [{ field: "data" }, {
    field: "key",
  }]);
  assert.deepEqual(toFieldsV1(set), { "f:data": { ".": {}, "f:key": {} } });
});

Deno.test("FieldsV1 of a real Deployment round-trips byte for byte", () => {
  // managedFields kube-apiserver wrote for `kubectl create deployment nginx --image=nginx`.
  const doc = {
    "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    "f:spec": {
      "f:progressDeadlineSeconds": {},
      "f:replicas": {},
      "f:selector": {},
      "f:strategy": {
        "f:rollingUpdate": {
          ".": {},
          "f:maxSurge": {},
          "f:maxUnavailable": {},
        },
        "f:type": {},
      },
      "f:template": {
        "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
        "f:spec": {
          "f:containers": {
            'k:{"name":"nginx"}': {
              ".": {},
              "f:image": {},
              "f:imagePullPolicy": {},
              "f:name": {},
              "f:ports": {
                ".": {},
                'k:{"containerPort":80,"protocol":"TCP"}': {
                  ".": {},
                  "f:containerPort": {},
                  "f:protocol": {},
                },
              },
            },
          },
          "f:dnsPolicy": {},
        },
      },
    },
  };
  const set = fromFieldsV1(doc);
  assert.equal(JSON.stringify(toFieldsV1(set)), JSON.stringify(doc));
  assert.ok(set.has([
    { field: "spec" },
    { field: "template" },
    { field: "spec" },
    { field: "containers" },
    keyElement([["name", "nginx"]]),
    { field: "image" },
  ]));
});

Deno.test("set items encode as v: and keys are sorted by field name", () => {
  const set = FieldSet.of(
    [{ field: "metadata" }, { field: "finalizers" }, { value: "b.io/x" }],
    [
      { field: "ports" },
      keyElement([["protocol", "TCP"], ["containerPort", 80]]),
    ],
  );
  assert.deepEqual(toFieldsV1(set), {
    "f:metadata": { "f:finalizers": { 'v:"b.io/x"': {} } },
    "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': {} },
  });
});

Deno.test("paths print as in upstream conflict messages", () => {
  assert.equal(
    pathString([
      { field: "spec" },
      { field: "containers" },
      keyElement([["name", "a"]]),
      { field: "image" },
    ]),
    '.spec.containers[name="a"].image',
  );
  assert.equal(
    pathString([keyElement([["protocol", "TCP"], ["containerPort", 80]])]),
    '[containerPort=80,protocol="TCP"]',
  );
  assert.equal(pathString([{ value: "x" }, { index: 2 }]), '[="x"][2]');
});

Deno.test("set operations work per path", () => {
  const a = FieldSet.of([{ field: "a" }], [{ field: "b" }, { field: "c" }]);
  const b = FieldSet.of([{ field: "b" }, { field: "c" }], [{ field: "d" }]);
  assert.deepEqual(toFieldsV1(a.union(b)), {
    "f:a": {},
    "f:b": { "f:c": {} },
    "f:d": {},
  });
  assert.deepEqual(toFieldsV1(a.intersection(b)), { "f:b": { "f:c": {} } });
  assert.deepEqual(toFieldsV1(a.difference(b)), { "f:a": {} });
  assert.ok(a.difference(a).isEmpty());
  assert.deepEqual(
    toFieldsV1(a.withoutPrefixes(FieldSet.of([{ field: "b" }]))),
    { "f:a": {} },
  );
});

Deno.test("an object's field set follows the schema's list and map types", () => {
  const set = toFieldSet({
    metadata: { name: "p", labels: { app: "x" }, finalizers: ["f"] },
    spec: {
      selector: { matchLabels: { a: "b" } },
      containers: [{
        name: "c",
        image: "i",
        args: ["1"],
        ports: [{ containerPort: 80 }],
      }],
    },
  }, POD);
  assert.deepEqual(toFieldsV1(set), {
    "f:metadata": {
      "f:finalizers": { 'v:"f"': {} },
      "f:labels": { "f:app": {} },
      "f:name": {},
    },
    "f:spec": {
      "f:containers": {
        'k:{"name":"c"}': {
          ".": {},
          "f:args": {},
          "f:image": {},
          "f:name": {},
          "f:ports": {
            'k:{"containerPort":80,"protocol":"TCP"}': {
              ".": {},
              "f:containerPort": {},
            },
          },
        },
      },
      "f:selector": {},
    },
  });
});

Deno.test("malformed FieldsV1 is a typed error", () => {
  for (
    const bad of [
      [],
      { "x:a": {} },
      { "f:a": 1 },
      { "k:{bad": {} },
      { "i:-1": {} },
      { "f:a": { ".": { "f:b": {} } } },
    ]
  ) {
    assert.throws(() => fromFieldsV1(bad), FieldsV1Error, JSON.stringify(bad));
  }
});
