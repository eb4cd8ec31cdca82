import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { prepareCreate, prepareUpdate } from "../handlers/strategy.ts";
import { ApiError } from "../status/mod.ts";
import { toTable } from "../table/table.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import { computeCrdStatus } from "./status.ts";
import { crdToDefinitions } from "./to_definition.ts";
import { defaultCrd } from "./validate_crd.ts";

const now = new Date("2025-01-02T03:04:05Z");

function versions() {
  const crd = cronTabCrd();
  crd.metadata.uid = "u1";
  defaultCrd(crd);
  crd.status = computeCrdStatus(crd, { others: [], now });
  return crdToDefinitionsOf(crd);
}

function crdToDefinitionsOf(crd: ReturnType<typeof cronTabCrd>) {
  const out = crdToDefinitions(crd);
  return { v1beta1: out[0], v1: out[1], all: out };
}

function cronTab(spec: Record<string, unknown>, extra = {}): KubeObject {
  return {
    apiVersion: "stable.example.com/v1",
    kind: "CronTab",
    metadata: { name: "my-new-cron-object", namespace: "default" },
    spec,
    ...extra,
  };
}

function invalidCauses(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 422);
    return (e.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);
  }
  assert.fail("expected a 422");
}

Deno.test("every served version becomes a definition", () => {
  const { all, v1 } = versions();
  assert.deepEqual(all.map((v) => v.definition.version), ["v1beta1", "v1"]);
  const d = v1.definition;
  assert.equal(d.group, "stable.example.com");
  assert.equal(d.kind, "CronTab");
  assert.equal(d.plural, "crontabs");
  assert.equal(d.singular, "crontab");
  assert.deepEqual(d.shortNames, ["ct"]);
  assert.deepEqual(d.categories, ["all"]);
  assert.equal(d.namespaced, true);
  assert.equal(v1.listKind, "CronTabList");
  assert.equal(v1.storageVersion, "v1");
  assert.deepEqual(Object.keys(d.subresources ?? {}), ["status", "scale"]);
});

Deno.test("create prunes, defaults, drops status and validates", () => {
  const { v1 } = versions();
  const obj = prepareCreate(
    v1.definition,
    cronTab({ cronSpec: "* * * * */5", image: "img", junk: 1 }, {
      status: { replicas: 4 },
    }),
    now,
  );
  assert.deepEqual(obj.spec, {
    cronSpec: "* * * * */5",
    image: "img",
    replicas: 1,
  });
  assert.equal(obj.status, undefined);
  assert.equal(obj.metadata.generation, 1);
  assert.deepEqual(
    invalidCauses(() =>
      prepareCreate(v1.definition, cronTab({ replicas: 20 }), now)
    ),
    [
      "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    ],
  );
});

Deno.test("unknown fields are reported for strict field validation", () => {
  const { v1 } = versions();
  const obj = cronTab({ image: "x", foo: 1 }, { bar: 2 });
  assert.deepEqual(v1.pruneUnknown(obj), ["bar", "spec.foo"]);
  assert.equal(obj.bar, undefined);
});

Deno.test("the main resource ignores status changes; /status ignores the rest", () => {
  const { v1 } = versions();
  const current = prepareCreate(v1.definition, cronTab({ image: "a" }), now);
  current.metadata.resourceVersion = "5";
  current.status = { replicas: 1 };
  const main = prepareUpdate(
    v1.definition,
    current,
    cronTab({ image: "b" }, {
      status: { replicas: 9 },
      metadata: { ...current.metadata },
    }),
    "",
  );
  assert.deepEqual(main.status, { replicas: 1 });
  assert.equal((main.spec as Record<string, unknown>).image, "b");
  assert.equal(main.metadata.generation, 2);
  const status = prepareUpdate(
    v1.definition,
    current,
    cronTab({ image: "c" }, {
      status: { replicas: 3, junk: true },
      metadata: { ...current.metadata },
    }),
    "status",
  );
  assert.deepEqual(status.status, { replicas: 3 });
  assert.equal((status.spec as Record<string, unknown>).image, "a");
  assert.equal(status.metadata.generation, 1);
});

Deno.test("transition rules run on update only", () => {
  const crd = cronTabCrd();
  defaultCrd(crd);
  const spec = crd.spec.versions![1].schema!.openAPIV3Schema!.properties!.spec;
  spec.properties!.image["x-kubernetes-validations"] = [{
    rule: "self == oldSelf",
    message: "image is immutable",
  }];
  spec["x-kubernetes-validations"] = [{
    rule: "!has(self.image) || self.image != 'forbidden'",
  }];
  const v1 = crdToDefinitions(crd)[1];
  const current = prepareCreate(v1.definition, cronTab({ image: "a" }), now);
  current.metadata.resourceVersion = "1";
  assert.deepEqual(
    invalidCauses(() =>
      prepareUpdate(
        v1.definition,
        current,
        cronTab({ image: "b" }, { metadata: { ...current.metadata } }),
        "",
      )
    ),
    ['spec.image: Invalid value: "string": image is immutable'],
  );
  assert.deepEqual(
    invalidCauses(() =>
      prepareCreate(v1.definition, cronTab({ image: "forbidden" }), now)
    ),
    [
      "spec: Invalid value: \"object\": failed rule: !has(self.image) || self.image != 'forbidden'",
    ],
  );
});

Deno.test("scale reads and writes through the CRD's paths", () => {
  const { v1 } = versions();
  const current = prepareCreate(
    v1.definition,
    cronTab({ image: "a", replicas: 2 }),
    now,
  );
  current.metadata.resourceVersion = "7";
  current.status = { replicas: 2, labelSelector: "app=cron" };
  const scale = v1.scale!.view(current);
  assert.deepEqual(scale, {
    apiVersion: "autoscaling/v1",
    kind: "Scale",
    metadata: {
      name: "my-new-cron-object",
      namespace: "default",
      uid: current.metadata.uid,
      resourceVersion: "7",
      creationTimestamp: "2025-01-02T03:04:05Z",
    },
    spec: { replicas: 2 },
    status: { replicas: 2, selector: "app=cron" },
  });
  const scaled = prepareUpdate(
    v1.definition,
    current,
    { ...scale, spec: { replicas: 5 } },
    "scale",
  );
  assert.equal((scaled.spec as Record<string, unknown>).replicas, 5);
  assert.deepEqual(scaled.status, current.status);
  assert.deepEqual(
    invalidCauses(() =>
      prepareUpdate(
        v1.definition,
        current,
        { ...scale, spec: { replicas: 50 } },
        "scale",
      )
    ),
    [
      "spec.replicas: Invalid value: 50: spec.replicas in body should be less than or equal to 10",
    ],
  );
  assert.deepEqual(
    invalidCauses(() =>
      prepareUpdate(
        v1.definition,
        current,
        { ...scale, spec: { replicas: -1 } },
        "scale",
      )
    ),
    ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"],
  );
});

Deno.test("versions convert by rewriting apiVersion, with defaults on read", () => {
  const { v1beta1, v1 } = versions();
  const stored = v1beta1.toStorage({
    apiVersion: "stable.example.com/v1beta1",
    kind: "CronTab",
    metadata: { name: "a" },
    spec: { image: "x" },
  });
  assert.equal(stored.apiVersion, "stable.example.com/v1");
  const read = v1beta1.fromStorage(stored);
  assert.equal(read.apiVersion, "stable.example.com/v1beta1");
  assert.equal((read.spec as Record<string, unknown>).replicas, 1);
  assert.equal(v1.fromStorage(stored).apiVersion, "stable.example.com/v1");
  assert.equal(
    stored.spec && (stored.spec as Record<string, unknown>).replicas,
    undefined,
  );
});

Deno.test("printer columns drive the Table", () => {
  const { v1 } = versions();
  const obj = cronTab({ cronSpec: "* * * * */5", replicas: 3 }, {
    status: { conditions: [{ type: "Ready", status: "True" }] },
  });
  obj.metadata.creationTimestamp = "2025-01-02T03:00:05Z";
  const table = toTable(v1.definition, [obj], {
    includeObject: "None",
    now,
    version: "v1",
  });
  const cols = table.columnDefinitions as Array<Record<string, unknown>>;
  assert.deepEqual(cols.map((c) => [c.name, c.type]), [
    ["Name", "string"],
    ["Spec", "string"],
    ["Replicas", "integer"],
    ["Ready", "string"],
    ["Age", "date"],
  ]);
  const rows = table.rows as Array<{ cells: unknown[] }>;
  assert.deepEqual(rows[0].cells, [
    "my-new-cron-object",
    "* * * * */5",
    3,
    "True",
    "4m",
  ]);
  const empty = toTable(v1.definition, [cronTab({})], {
    includeObject: "None",
    now,
    version: "v1",
  });
  assert.deepEqual((empty.rows as Array<{ cells: unknown[] }>)[0].cells, [
    "my-new-cron-object",
    null,
    null,
    null,
    null,
  ]);
});

Deno.test("a version without printer columns shows Age", () => {
  const crd = cronTabCrd();
  delete crd.spec.versions![1].additionalPrinterColumns;
  const v1 = crdToDefinitions(crd)[1];
  assert.deepEqual(v1.definition.columns!.map((c) => c.name), ["Name", "Age"]);
});

Deno.test("unserved versions are not served and deprecation warns", () => {
  const crd = cronTabCrd();
  crd.spec.versions![0].served = false;
  crd.spec.versions![1].deprecated = true;
  const out = crdToDefinitions(crd);
  assert.deepEqual(out.map((v) => v.definition.version), ["v1"]);
  assert.equal(
    out[0].deprecationWarning,
    "stable.example.com/v1 CronTab is deprecated",
  );
});

Deno.test("selectable fields feed field selectors", () => {
  const crd = cronTabCrd();
  crd.spec.versions![1].selectableFields = [{ jsonPath: ".spec.image" }, {
    jsonPath: ".spec.replicas",
  }];
  const v1 = crdToDefinitions(crd)[1];
  assert.deepEqual(
    v1.definition.selectableFields!(cronTab({ image: "x", replicas: 2 })),
    { "spec.image": "x", "spec.replicas": "2" },
  );
});
