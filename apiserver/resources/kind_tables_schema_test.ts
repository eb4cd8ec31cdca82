import assert from "node:assert/strict";
import { definitionOf, schemaAt } from "../schema/mod.ts";
import { builtinSchema, schemasOf } from "./kind_tables.ts";
import { BUILTIN_RESOURCES } from "./registry.ts";

Deno.test("builtinSchema finds every served built-in kind and its list", () => {
  const kinds = [
    ["", "v1", "Namespace"],
    ["", "v1", "ConfigMap"],
    ["", "v1", "Secret"],
    ["", "v1", "ServiceAccount"],
    ["", "v1", "Event"],
    ["events.k8s.io", "v1", "Event"],
    ["coordination.k8s.io", "v1", "Lease"],
    ["rbac.authorization.k8s.io", "v1", "Role"],
    ["rbac.authorization.k8s.io", "v1", "ClusterRole"],
    ["rbac.authorization.k8s.io", "v1", "RoleBinding"],
    ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"],
  ];
  for (const [g, v, k] of kinds) {
    const s = builtinSchema(g, v, k);
    assert.ok(s, `${g}/${v} ${k}`);
    assert.ok(s.properties?.metadata, `${k} has metadata`);
    assert.ok(s.description, `${k} has a description`);
    assert.ok(builtinSchema(g, v, `${k}List`)?.properties?.items);
  }
  assert.equal(builtinSchema("", "v1", "Pod"), undefined);
  assert.equal(builtinSchema("apps", "v1", "ConfigMap"), undefined);
});

Deno.test("schemas carry upstream names for the OpenAPI definitions", () => {
  const cm = builtinSchema("", "v1", "ConfigMap")!;
  assert.equal(definitionOf(cm)?.name, "io.k8s.api.core.v1.ConfigMap");
  const meta = cm.properties!.metadata;
  assert.equal(
    definitionOf(meta)?.name,
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  );
  assert.match(meta.description!, /^Standard object's metadata/);
  assert.match(definitionOf(meta)!.body.description!, /^ObjectMeta is/);
  assert.equal(
    definitionOf(builtinSchema("events.k8s.io", "v1", "Event")!)?.name,
    "io.k8s.api.events.v1.Event",
  );
  // The mark is invisible to keys, spreads and JSON.
  assert.deepEqual(Object.keys(meta).sort(), [
    "description",
    "properties",
    "type",
  ]);
  assert.equal(definitionOf({ ...meta }), undefined);
});

Deno.test("schemas are frozen so no consumer can change them for others", () => {
  const cm = builtinSchema("", "v1", "ConfigMap")!;
  assert.throws(() => {
    (cm.properties as Record<string, unknown>).extra = {};
  });
  for (const b of schemasOf(BUILTIN_RESOURCES)) {
    assert.ok(Object.isFrozen(b.schema));
  }
});

Deno.test("ObjectMeta declares upstream merge semantics", () => {
  const cm = builtinSchema("", "v1", "ConfigMap")!;
  const fin = schemaAt(cm, "metadata.finalizers")!;
  assert.equal(fin["x-kubernetes-list-type"], "set");
  assert.equal(fin["x-kubernetes-patch-strategy"], "merge");
  const owners = schemaAt(cm, "metadata.ownerReferences")!;
  assert.equal(owners["x-kubernetes-list-type"], "map");
  assert.deepEqual(owners["x-kubernetes-list-map-keys"], ["uid"]);
  assert.equal(owners["x-kubernetes-patch-merge-key"], "uid");
  assert.deepEqual(owners.items!.required, [
    "apiVersion",
    "kind",
    "name",
    "uid",
  ]);
  assert.equal(
    schemaAt(cm, "metadata.managedFields")!["x-kubernetes-list-type"],
    "atomic",
  );
  assert.equal(schemaAt(cm, "metadata.labels.app")!.type, "string");
  const created = schemaAt(cm, "metadata.creationTimestamp")!;
  assert.equal(created.format, "date-time");
});

Deno.test("kind fields have upstream types and formats", () => {
  const at = (g: string, k: string, p: string) =>
    schemaAt(builtinSchema(g, "v1", k)!, p);
  assert.equal(at("", "ConfigMap", "binaryData.x")!.format, "byte");
  assert.equal(at("", "Secret", "data.x")!.format, "byte");
  assert.equal(at("", "Secret", "stringData.x")!.format, undefined);
  assert.equal(at("", "Secret", "immutable")!.type, "boolean");
  assert.deepEqual(at("", "Namespace", "status.phase")!.enum, [
    "Active",
    "Terminating",
  ]);
  assert.equal(
    at("", "Namespace", "status.conditions")!["x-kubernetes-patch-merge-key"],
    "type",
  );
  assert.equal(at("", "ServiceAccount", "secrets.name")!.type, "string");
  assert.equal(
    at("", "ServiceAccount", "secrets")!["x-kubernetes-patch-merge-key"],
    "name",
  );
  assert.equal(at("", "Event", "series.lastObservedTime")!.format, "date-time");
  assert.ok(at("", "Event", "involvedObject.fieldPath"));
  assert.ok(at("events.k8s.io", "Event", "deprecatedSource.component"));
  assert.equal(
    at("coordination.k8s.io", "Lease", "spec.leaseDurationSeconds")!.format,
    "int32",
  );
  assert.equal(
    at("coordination.k8s.io", "Lease", "spec.renewTime")!.format,
    "date-time",
  );
  const rbac = "rbac.authorization.k8s.io";
  assert.deepEqual(at(rbac, "ClusterRole", "rules")!.items!.required, [
    "verbs",
  ]);
  assert.ok(
    at(rbac, "ClusterRole", "aggregationRule.clusterRoleSelectors.matchLabels"),
  );
  assert.deepEqual(at(rbac, "RoleBinding", "roleRef")!.required, [
    "apiGroup",
    "kind",
    "name",
  ]);
  assert.equal(
    at(rbac, "ClusterRoleBinding", "subjects.namespace")!.type,
    "string",
  );
});

Deno.test("schemaAt steps through lists and maps and stops at unknown fields", () => {
  const role = builtinSchema("rbac.authorization.k8s.io", "v1", "Role")!;
  assert.equal(schemaAt(role, ["rules", "verbs"])!.type, "array");
  assert.equal(schemaAt(role, "rules.[].verbs")!.type, "array");
  assert.equal(schemaAt(role, "rules.nope"), undefined);
  assert.equal(schemaAt(role, ""), role);
});
