import assert from "node:assert/strict";
import {
  ApplyConflictError,
  type ApplyOptions,
  applyWithLastApplied,
  LAST_APPLIED_ANNOTATION,
  updateManagedFields,
} from "./mod.ts";
import { CONFIG_MAP } from "../../tests/support/apply_schema.ts";

type Obj = Record<string, unknown>;

const T0 = new Date("2024-05-01T10:00:00Z");

function opts(manager: string): ApplyOptions {
  return { manager, schema: CONFIG_MAP, apiVersion: "v1", now: T0 };
}

function cm(data: Record<string, string>, annotations?: Obj): Obj {
  const metadata: Obj = { name: "c", namespace: "default" };
  if (annotations) metadata.annotations = annotations;
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

/** An object as `kubectl apply` (client-side) leaves it. */
function clientSideApplied(data: Record<string, string>): Obj {
  const config = cm(data);
  const annotated = cm(data, {
    [LAST_APPLIED_ANNOTATION]: JSON.stringify(config) + "\n",
  });
  return updateManagedFields(null, annotated, {
    ...opts("kubectl-client-side-apply"),
  }).object;
}

function annotationOf(obj: Obj): unknown {
  const meta = obj.metadata as Obj;
  return (meta.annotations as Obj)[LAST_APPLIED_ANNOTATION];
}

Deno.test("kubectl server-side apply takes over fields the last-applied annotation still describes", () => {
  const live = clientSideApplied({ a: "1" });
  const r = applyWithLastApplied(live, cm({ a: "2" }), opts("kubectl"));
  assert.deepEqual(r.object.data, { a: "2" });
  // The client-side manager keeps the data map and the annotation (kubectl
  // then migrates that entry with a managedFields patch).
  assert.deepEqual(
    r.managedFields.map((e) => [e.manager, e.operation, e.fieldsV1]),
    [
      ["kubectl", "Apply", { "f:data": { "f:a": {} } }],
      ["kubectl-client-side-apply", "Update", {
        "f:data": {},
        "f:metadata": {
          "f:annotations": {
            ".": {},
            [`f:${LAST_APPLIED_ANNOTATION}`]: {},
          },
        },
      }],
    ],
  );
  assert.equal(
    annotationOf(r.object),
    '{"apiVersion":"v1","data":{"a":"2"},"kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}\n',
  );
});

Deno.test("fields changed since the last client-side apply still conflict", () => {
  const live = clientSideApplied({ a: "1" });
  const edited = updateManagedFields(live, { ...live, data: { a: "edited" } }, {
    ...opts("kubectl-edit"),
  }).object;
  assert.throws(
    () => applyWithLastApplied(edited, cm({ a: "2" }), opts("kubectl")),
    (e) =>
      e instanceof ApplyConflictError && e.conflicts.length === 1 &&
      e.conflicts[0].manager === "kubectl-edit",
  );
});

Deno.test("other managers get no last-applied upgrade", () => {
  const live = clientSideApplied({ a: "1" });
  assert.throws(
    () => applyWithLastApplied(live, cm({ a: "2" }), opts("ci")),
    ApplyConflictError,
  );
});

Deno.test("the annotation is not added to objects that lack it", () => {
  const r = applyWithLastApplied(null, cm({ a: "1" }), opts("kubectl"));
  assert.equal((r.object.metadata as Obj).annotations, undefined);
});

Deno.test("the annotation is encoded with sorted keys and Go's HTML escapes", () => {
  const live = clientSideApplied({ a: "1" });
  const r = applyWithLastApplied(
    live,
    cm({ a: "1", b: "<&>" }),
    opts("kubectl"),
  );
  assert.match(String(annotationOf(r.object)), /"b":"\\u003c\\u0026\\u003e"/);
});
