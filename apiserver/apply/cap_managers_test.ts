import assert from "node:assert/strict";
import { type ManagedFieldsEntry, updateManagedFields } from "./mod.ts";
import { CONFIG_MAP } from "../../tests/support/apply_schema.ts";

type Obj = Record<string, unknown>;

function cm(data: Record<string, string>, managedFields?: unknown): Obj {
  const metadata: Obj = { name: "c", namespace: "default" };
  if (managedFields) metadata.managedFields = managedFields;
  return { apiVersion: "v1", kind: "ConfigMap", metadata, data };
}

Deno.test("the oldest update managers beyond ten merge into ancient-changes", () => {
  let obj: Obj = cm({});
  for (let i = 0; i < 12; i++) {
    const data = { ...(obj.data as Record<string, string>), [`k${i}`]: "v" };
    obj = updateManagedFields(obj, { ...obj, data }, {
      schema: CONFIG_MAP,
      apiVersion: "v1",
      now: new Date(Date.UTC(2024, 0, 1, 0, i)),
      manager: `m${String(i).padStart(2, "0")}`,
    }).object;
  }
  const mf = (obj.metadata as Obj).managedFields as ManagedFieldsEntry[];
  assert.equal(mf.length, 10);
  const ancient = mf.find((e) => e.manager === "ancient-changes")!;
  assert.equal(ancient.operation, "Update");
  assert.equal(ancient.apiVersion, "v1");
  assert.equal(ancient.time, "2024-01-01T00:02:00Z");
  const f = (ancient.fieldsV1 as Record<string, Record<string, unknown>>)[
    "f:data"
  ];
  assert.ok("f:k0" in f && "f:k1" in f && "f:k2" in f);
  assert.deepEqual(
    mf.filter((e) => e.manager !== "ancient-changes").map((e) => e.manager),
    ["m03", "m04", "m05", "m06", "m07", "m08", "m09", "m10", "m11"],
  );
});

Deno.test("ten update managers are kept as they are", () => {
  let obj: Obj = cm({});
  for (let i = 0; i < 10; i++) {
    const data = { ...(obj.data as Record<string, string>), [`k${i}`]: "v" };
    obj = updateManagedFields(obj, { ...obj, data }, {
      schema: CONFIG_MAP,
      apiVersion: "v1",
      now: new Date(Date.UTC(2024, 0, 1, 0, i)),
      manager: `m${i}`,
    }).object;
  }
  const mf = (obj.metadata as Obj).managedFields as ManagedFieldsEntry[];
  assert.equal(mf.length, 10);
  assert.ok(!mf.some((e) => e.manager === "ancient-changes"));
});
