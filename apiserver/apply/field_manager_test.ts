import assert from "node:assert/strict";
import {
  apply,
  ApplyConflictError,
  ApplyError,
  type ApplyOptions,
  type FieldManagerResult,
  type ManagedFieldsEntry,
  updateManagedFields,
} from "./mod.ts";
import { CONFIG_MAP, POD } from "../../tests/support/apply_schema.ts";

type Obj = Record<string, unknown>;

const T0 = new Date("2024-05-01T10:00:00.123Z");
const T1 = new Date("2024-05-01T11:00:00Z");

function opts(
  manager: string,
  extra: Partial<ApplyOptions> = {},
): ApplyOptions {
  return { manager, schema: CONFIG_MAP, apiVersion: "v1", now: T0, ...extra };
}

function cm(data: Record<string, string>, extra: Obj = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "c", namespace: "default" },
    data,
    ...extra,
  };
}

function entries(r: FieldManagerResult): Array<[string, string, unknown]> {
  return r.managedFields.map((e) => [e.manager!, e.operation!, e.fieldsV1]);
}

function conflictOf(fn: () => unknown): ApplyConflictError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApplyConflictError, `expected a conflict, got ${e}`);
    return e;
  }
  assert.fail("expected a conflict");
}

Deno.test("apply on a missing object creates it with an Apply entry", () => {
  const r = apply(null, cm({ key: "v" }), opts("kubectl"));
  assert.equal(r.changed, true);
  assert.deepEqual(r.object.data, { key: "v" });
  assert.deepEqual(r.managedFields, [{
    manager: "kubectl",
    operation: "Apply",
    apiVersion: "v1",
    time: "2024-05-01T10:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: { "f:data": { "f:key": {} } },
  }]);
  assert.deepEqual(
    (r.object.metadata as Obj).managedFields,
    r.managedFields,
  );
});

Deno.test("applying the same configuration twice changes nothing", () => {
  const first = apply(null, cm({ key: "v" }), opts("kubectl"));
  const second = apply(
    first.object,
    cm({ key: "v" }),
    opts("kubectl", { now: T1 }),
  );
  assert.equal(second.changed, false);
  assert.deepEqual(second.object, first.object);
  assert.deepEqual(second.managedFields, first.managedFields);
});

Deno.test("create by an updater records '.' markers as kube-apiserver does", () => {
  const r = updateManagedFields(
    null,
    cm({ key: "v" }, {
      metadata: { name: "c", namespace: "default", labels: { app: "x" } },
    }),
    opts("kubectl-create"),
  );
  assert.deepEqual(entries(r), [[
    "kubectl-create",
    "Update",
    {
      "f:data": { ".": {}, "f:key": {} },
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    },
  ]]);
  assert.equal(r.managedFields[0].apiVersion, "v1");
  assert.equal(r.managedFields[0].time, "2024-05-01T10:00:00Z");
});

Deno.test("a second applier changing a field conflicts with upstream's message", () => {
  const created = updateManagedFields(
    null,
    cm({ key: "v" }),
    opts("kubectl-client-side-apply"),
  );
  const err = conflictOf(() =>
    apply(created.object, cm({ key: "w" }), opts("kubectl"))
  );
  assert.equal(err.code, 409);
  assert.equal(
    err.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key',
  );
  assert.deepEqual(err.causes, [{
    reason: "FieldManagerConflict",
    message: 'conflict with "kubectl-client-side-apply" using v1',
    field: ".data.key",
  }]);
});

Deno.test("several conflicts are listed per manager", () => {
  const a = apply(null, cm({ x: "1", y: "1" }), opts("a"));
  const b = updateManagedFields(
    a.object,
    cm({ x: "1", y: "1", z: "1" }),
    opts("b"),
  );
  const err = conflictOf(() =>
    apply(b.object, cm({ x: "2", y: "2", z: "2" }), opts("c"))
  );
  assert.equal(
    err.message,
    'Apply failed with 3 conflicts: conflicts with "a":\n- .data.x\n- .data.y\nconflicts with "b" using v1:\n- .data.z',
  );
});

Deno.test("applying the value another manager set shares ownership", () => {
  const first = apply(null, cm({ key: "v" }), opts("a"));
  const second = apply(first.object, cm({ key: "v", other: "o" }), opts("b"));
  assert.deepEqual(entries(second), [
    ["a", "Apply", { "f:data": { "f:key": {} } }],
    ["b", "Apply", { "f:data": { "f:key": {}, "f:other": {} } }],
  ]);
});

Deno.test("force moves a conflicting field to the applier", () => {
  const first = apply(null, cm({ key: "v", mine: "m" }), opts("a"));
  const forced = apply(
    first.object,
    cm({ key: "w" }),
    opts("b", { force: true }),
  );
  assert.deepEqual(forced.object.data, { key: "w", mine: "m" });
  assert.deepEqual(entries(forced), [
    ["a", "Apply", { "f:data": { "f:mine": {} } }],
    ["b", "Apply", { "f:data": { "f:key": {} } }],
  ]);
});

Deno.test("a field the applier stops applying is removed", () => {
  const first = apply(null, cm({ a: "1", b: "2" }), opts("kubectl"));
  const second = apply(first.object, cm({ a: "1" }), opts("kubectl"));
  assert.deepEqual(second.object.data, { a: "1" });
  assert.deepEqual(entries(second), [[
    "kubectl",
    "Apply",
    { "f:data": { "f:a": {} } },
  ]]);
});

Deno.test("a field the applier stops applying stays when another manager owns it", () => {
  const first = apply(null, cm({ a: "1", b: "2" }), opts("x"));
  const shared = apply(first.object, cm({ b: "2" }), opts("y"));
  const dropped = apply(shared.object, cm({ a: "1" }), opts("x"));
  assert.deepEqual(dropped.object.data, { a: "1", b: "2" });
  const edited = updateManagedFields(
    first.object,
    cm({ a: "1", b: "3" }),
    opts("kubectl-edit"),
  );
  const after = apply(edited.object, cm({ a: "1" }), opts("x"));
  assert.deepEqual(after.object.data, { a: "1", b: "3" });
});

Deno.test("fields nobody applied are never pruned", () => {
  const created = updateManagedFields(
    null,
    cm({ other: "o" }),
    opts("kubectl-create"),
  );
  const first = apply(created.object, cm({ a: "1" }), opts("kubectl"));
  const second = apply(first.object, cm({}), opts("kubectl"));
  assert.deepEqual(second.object.data, { other: "o" });
});

Deno.test("an update takes ownership of the fields it changes", () => {
  const applied = apply(null, cm({ a: "1", b: "2" }), opts("kubectl"));
  const edited = updateManagedFields(
    applied.object,
    cm({ a: "9", b: "2" }),
    opts("kubectl-edit", { now: T1 }),
  );
  assert.deepEqual(entries(edited), [
    ["kubectl", "Apply", { "f:data": { "f:b": {} } }],
    ["kubectl-edit", "Update", { "f:data": { "f:a": {} } }],
  ]);
  const err = conflictOf(() =>
    apply(edited.object, cm({ a: "1", b: "2" }), opts("kubectl"))
  );
  assert.equal(
    err.message,
    'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a',
  );
});

Deno.test("an update that changes nothing keeps entries and times", () => {
  const created = updateManagedFields(null, cm({ a: "1" }), opts("m"));
  const again = updateManagedFields(
    created.object,
    cm({ a: "1" }),
    opts("m", { now: T1 }),
  );
  assert.equal(again.changed, false);
  assert.deepEqual(again.managedFields, created.managedFields);
});

Deno.test("removing a field takes it from every manager", () => {
  const a = apply(null, cm({ a: "1", b: "2" }), opts("x"));
  const r = updateManagedFields(a.object, cm({ a: "1" }), opts("y"));
  assert.deepEqual(entries(r), [["x", "Apply", { "f:data": { "f:a": {} } }]]);
});

Deno.test("set lists union and map lists merge by key across appliers", () => {
  const o = (m: string) => opts(m, { schema: POD });
  const pod = (spec: Obj, finalizers: string[]) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", finalizers },
    spec,
  });
  const a = apply(
    null,
    pod({
      containers: [{ name: "a", image: "1", ports: [{ containerPort: 80 }] }],
    }, ["x"]),
    o("a"),
  );
  const b = apply(
    a.object,
    pod({ containers: [{ name: "b", image: "2" }] }, ["y"]),
    o("b"),
  );
  assert.deepEqual((b.object.metadata as Obj).finalizers, ["x", "y"]);
  assert.deepEqual((b.object.spec as Obj).containers, [
    { name: "a", image: "1", ports: [{ containerPort: 80 }] },
    { name: "b", image: "2" },
  ]);
  assert.deepEqual(entries(b)[1], ["b", "Apply", {
    "f:metadata": { "f:finalizers": { 'v:"y"': {} } },
    "f:spec": {
      "f:containers": {
        'k:{"name":"b"}': { ".": {}, "f:image": {}, "f:name": {} },
      },
    },
  }]);
  const c = conflictOf(() =>
    apply(
      b.object,
      pod({ containers: [{ name: "a", image: "3" }] }, []),
      o("b"),
    )
  );
  assert.equal(
    c.message,
    'Apply failed with 1 conflict: conflict with "a": .spec.containers[name="a"].image',
  );
  // a drops its container and finalizer: both go, b's stay.
  const pruned = apply(b.object, pod({}, []), o("a"));
  assert.deepEqual((pruned.object.metadata as Obj).finalizers, ["y"]);
  assert.deepEqual((pruned.object.spec as Obj).containers, [
    { name: "b", image: "2" },
  ]);
});

Deno.test("atomic lists and maps are replaced whole and owned as one field", () => {
  const o = opts("a", { schema: POD });
  const first = apply(null, {
    metadata: { name: "p" },
    spec: {
      selector: { matchLabels: { x: "1" } },
      containers: [{ name: "c", args: ["1", "2"] }],
    },
  }, o);
  const second = apply(first.object, {
    metadata: { name: "p" },
    spec: {
      selector: { matchLabels: { y: "2" } },
      containers: [{ name: "c", args: ["3"] }],
    },
  }, o);
  assert.deepEqual(second.object.spec, {
    selector: { matchLabels: { y: "2" } },
    containers: [{ name: "c", args: ["3"] }],
  });
  assert.deepEqual(entries(second)[0][2], {
    "f:spec": {
      "f:containers": {
        'k:{"name":"c"}': { ".": {}, "f:args": {}, "f:name": {} },
      },
      "f:selector": {},
    },
  });
});

Deno.test("shared items keep the applied order and new live items stay in place", () => {
  const o = opts("a", { schema: POD });
  const live = updateManagedFields(null, {
    metadata: { name: "p" },
    spec: { containers: [{ name: "x" }, { name: "y" }, { name: "z" }] },
  }, opts("create", { schema: POD }));
  const r = apply(live.object, {
    metadata: { name: "p" },
    spec: { containers: [{ name: "z" }, { name: "x" }, { name: "n" }] },
  }, o);
  assert.deepEqual(
    ((r.object.spec as Obj).containers as Obj[]).map((c) => c.name),
    ["y", "z", "x", "n"],
  );
});

Deno.test("reset fields are neither owned nor changed by the endpoint", () => {
  const o = opts("a", {
    schema: POD,
    resetFields: [[{ field: "status" }]],
    force: true,
  });
  const live = {
    metadata: { name: "p" },
    spec: { replicas: 1 },
    status: { phase: "Running" },
  };
  const r = apply(live, {
    metadata: { name: "p" },
    spec: { replicas: 2 },
    status: { phase: "Failed" },
  }, o);
  assert.deepEqual(r.object.status, { phase: "Running" });
  assert.deepEqual(entries(r).find((e) => e[0] === "a")?.[2], {
    "f:spec": { "f:replicas": {} },
  });
});

Deno.test("status written through the subresource gets its own entry", () => {
  const o = opts("controller", { schema: POD, subresource: "status" });
  const r = updateManagedFields(
    { metadata: { name: "p" }, spec: { replicas: 1 } },
    {
      metadata: { name: "p" },
      spec: { replicas: 1 },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    },
    o,
  );
  assert.deepEqual(r.managedFields, [{
    manager: "controller",
    operation: "Update",
    apiVersion: "v1",
    time: "2024-05-01T10:00:00Z",
    fieldsType: "FieldsV1",
    fieldsV1: {
      "f:status": {
        ".": {},
        "f:conditions": {
          ".": {},
          'k:{"type":"Ready"}': { ".": {}, "f:status": {}, "f:type": {} },
        },
      },
    },
    subresource: "status",
  }]);
});

Deno.test("the first apply to an untracked object conflicts with before-first-apply", () => {
  const legacy = cm({ key: "v" });
  const err = conflictOf(() =>
    apply(legacy, cm({ key: "w" }), opts("kubectl"))
  );
  assert.equal(
    err.message,
    'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.key',
  );
  const same = apply(legacy, cm({ key: "v" }), opts("kubectl"));
  assert.deepEqual(entries(same).map((e) => e[0]), [
    "kubectl",
    "before-first-apply",
  ]);
});

Deno.test("metadata the server controls is never owned", () => {
  const r = apply(
    null,
    cm({ k: "v" }, {
      metadata: {
        name: "c",
        namespace: "d",
        uid: "u",
        resourceVersion: "5",
        generation: 2,
        labels: { a: "b" },
      },
    }),
    opts("m"),
  );
  assert.deepEqual(r.managedFields[0].fieldsV1, {
    "f:data": { "f:k": {} },
    "f:metadata": { "f:labels": { "f:a": {} } },
  });
});

Deno.test("invalid applied configurations are typed errors", () => {
  const o = opts("a", { schema: POD });
  const check = (config: unknown, code: number, text: RegExp) =>
    assert.throws(() => apply(null, config, o), (e: unknown) => {
      assert.ok(e instanceof ApplyError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, text);
      return true;
    });
  check(
    { spec: { containers: [{ image: "x" }] } },
    422,
    /\.spec\.containers: element 0: associative list with keys has an element that omits key field "name"/,
  );
  check(
    { spec: { containers: [{ name: "a" }, { name: "a" }] } },
    422,
    /\.spec\.containers: duplicate entries for key \[name="a"\]/,
  );
  check(
    { metadata: { finalizers: [{ a: 1 }] } },
    422,
    /element 0: associative list without keys has an element that's a map type/,
  );
  check(
    { metadata: { managedFields: [] } },
    400,
    /metadata.managedFields must be nil/,
  );
  check([1], 400, /must be an object/);
});

Deno.test("nulls in an applied configuration are not stored", () => {
  const r = apply(null, cm({ a: "1" }, { immutable: null }), opts("m"));
  assert.equal("immutable" in r.object, false);
});

Deno.test("client-sent managedFields are used when valid and ignored when not", () => {
  const created = updateManagedFields(null, cm({ a: "1" }), opts("m"));
  const edited: ManagedFieldsEntry[] = [{
    ...created.managedFields[0],
    manager: "renamed",
  }];
  const next = cm({ a: "1" });
  (next.metadata as Obj).managedFields = edited;
  const r = updateManagedFields(created.object, next, opts("m"));
  assert.deepEqual(r.managedFields.map((e) => e.manager), ["renamed"]);

  const bad = cm({ a: "1" });
  (bad.metadata as Obj).managedFields = [{ manager: "x", operation: "Nope" }];
  const kept = updateManagedFields(created.object, bad, opts("m"));
  assert.deepEqual(kept.managedFields, created.managedFields);

  const reset = cm({ a: "2" });
  (reset.metadata as Obj).managedFields = [{}];
  const cleared = updateManagedFields(created.object, reset, opts("m"));
  assert.deepEqual(cleared.managedFields, []);
  assert.equal("managedFields" in (cleared.object.metadata as Obj), false);
});

Deno.test("an update the schema cannot map drops managedFields instead of failing", () => {
  const o = opts("m", { schema: POD });
  const created = updateManagedFields(null, { metadata: { name: "p" } }, o);
  const r = updateManagedFields(created.object, {
    metadata: { name: "p" },
    spec: { containers: [{ image: "no-name" }] },
  }, o);
  assert.deepEqual(r.managedFields, []);
});

Deno.test("entries are ordered Apply first, then by time and manager", () => {
  const a = updateManagedFields(
    null,
    cm({ a: "1" }),
    opts("zeta", { now: T0 }),
  );
  const b = updateManagedFields(
    a.object,
    cm({ a: "1", b: "1" }),
    opts("alpha", { now: T1 }),
  );
  const c = apply(b.object, cm({ c: "1" }), opts("omega", { now: T1 }));
  assert.deepEqual(c.managedFields.map((e) => e.manager), [
    "omega",
    "zeta",
    "alpha",
  ]);
});
