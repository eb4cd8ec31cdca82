import assert from "node:assert/strict";
import type { ServedKind } from "./types.ts";
import { builtinKinds } from "../../tests/support/openapi_builtin_kinds.ts";
import { openApiV2 } from "./v2.ts";
import { openApiV3 } from "./v3.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** Every `$ref` in `doc`. */
function refs(doc: unknown, out: string[] = []): string[] {
  if (Array.isArray(doc)) doc.forEach((d) => refs(d, out));
  else if (doc && typeof doc === "object") {
    for (const [k, v] of Object.entries(doc)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

Deno.test("v2 names definitions as upstream and every $ref resolves", () => {
  const doc = openApiV2(builtinKinds()) as Any;
  assert.equal(doc.swagger, "2.0");
  const defs = doc.definitions;
  for (
    const name of [
      "io.k8s.api.core.v1.ConfigMap",
      "io.k8s.api.core.v1.ConfigMapList",
      "io.k8s.api.core.v1.Secret",
      "io.k8s.api.events.v1.Event",
      "io.k8s.api.coordination.v1.Lease",
      "io.k8s.api.rbac.v1.ClusterRole",
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
      "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
      "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    ]
  ) assert.ok(defs[name], name);
  const all = refs(doc);
  assert.ok(all.length > 50);
  for (const r of all) {
    assert.ok(r.startsWith("#/definitions/"), r);
    assert.ok(defs[r.slice("#/definitions/".length)], `unresolved ${r}`);
  }
});

Deno.test("v2 kinds carry x-kubernetes-group-version-kind, fields $ref with descriptions", () => {
  const defs = (openApiV2(builtinKinds()) as Any).definitions;
  assert.deepEqual(
    defs["io.k8s.api.core.v1.ConfigMap"]["x-kubernetes-group-version-kind"],
    [
      { group: "", kind: "ConfigMap", version: "v1" },
    ],
  );
  assert.deepEqual(
    defs["io.k8s.api.rbac.v1.RoleList"]["x-kubernetes-group-version-kind"],
    [{ group: "rbac.authorization.k8s.io", kind: "RoleList", version: "v1" }],
  );
  const gvks = defs["io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"][
    "x-kubernetes-group-version-kind"
  ];
  assert.ok(gvks.some((g: Any) => g.group === "coordination.k8s.io"));
  const meta = defs["io.k8s.api.core.v1.ConfigMap"].properties.metadata;
  assert.equal(
    meta.$ref,
    "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  );
  assert.match(meta.description, /^Standard object's metadata/);
  const owner =
    defs["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties
      .ownerReferences;
  assert.equal(owner["x-kubernetes-patch-merge-key"], "uid");
  assert.deepEqual(owner.items, {
    $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
  });
  assert.equal(
    defs["io.k8s.apimachinery.pkg.apis.meta.v1.Time"].format,
    "date-time",
  );
});

Deno.test("v2 paths carry the operations kubectl looks for", () => {
  const paths = (openApiV2(builtinKinds()) as Any).paths;
  const item = paths["/api/v1/namespaces/{namespace}/configmaps/{name}"];
  assert.equal(item.patch.operationId, "patchCoreV1NamespacedConfigMap");
  assert.deepEqual(item.patch["x-kubernetes-group-version-kind"], {
    group: "",
    kind: "ConfigMap",
    version: "v1",
  });
  assert.ok(
    item.patch.parameters.some((p: Any) => p.name === "fieldValidation"),
  );
  assert.ok(paths["/api/v1/configmaps"].get);
  assert.ok(paths["/api/v1/namespaces/{name}"].get);
  assert.equal(paths["/api/v1/namespaces"].delete, undefined); // no deletecollection
  assert.equal(
    paths["/apis/rbac.authorization.k8s.io/v1/clusterroles"].get.operationId,
    "listRbacAuthorizationV1ClusterRole",
  );
});

Deno.test("v3 has one document per group version with its own schemas", () => {
  const docs = openApiV3(builtinKinds());
  assert.deepEqual([...docs.keys()], [
    "api/v1",
    "apis/coordination.k8s.io/v1",
    "apis/events.k8s.io/v1",
    "apis/rbac.authorization.k8s.io/v1",
  ]);
  const lease = docs.get("apis/coordination.k8s.io/v1") as Any;
  assert.equal(lease.openapi, "3.0.0");
  const schemas = lease.components.schemas;
  assert.ok(schemas["io.k8s.api.coordination.v1.Lease"]);
  assert.equal(schemas["io.k8s.api.core.v1.ConfigMap"], undefined);
  for (const r of refs(lease)) {
    const name = r.slice("#/components/schemas/".length);
    assert.ok(schemas[name], `unresolved ${r}`);
  }
  const spec = schemas["io.k8s.api.coordination.v1.Lease"].properties.spec;
  assert.deepEqual(spec.allOf, [{
    $ref: "#/components/schemas/io.k8s.api.coordination.v1.LeaseSpec",
  }]);
  const patch = lease.paths[
    "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"
  ].patch;
  assert.ok(
    patch.parameters.some((p: Any) =>
      p.name === "fieldValidation" && p.in === "query"
    ),
  );
  assert.ok(patch.requestBody.content["application/apply-patch+yaml"]);
});

Deno.test("an unnamed (CRD) schema is published under the reversed group name", () => {
  const crd: ServedKind = {
    group: "stable.example.com",
    version: "v1",
    kind: "CronTab",
    plural: "crontabs",
    namespaced: true,
    verbs: ["get", "list", "patch"],
    schema: {
      type: "object",
      properties: {
        spec: { type: "object", properties: { cron: { type: "string" } } },
      },
    },
  };
  const doc = openApiV3([crd]).get("apis/stable.example.com/v1") as Any;
  const schemas = doc.components.schemas;
  assert.equal(
    schemas["com.example.stable.v1.CronTab"].properties.spec.properties.cron
      .type,
    "string",
  );
  assert.deepEqual(
    schemas["com.example.stable.v1.CronTabList"][
      "x-kubernetes-group-version-kind"
    ],
    [
      { group: "stable.example.com", kind: "CronTabList", version: "v1" },
    ],
  );
  assert.ok(
    doc
      .paths[
        "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"
      ].patch,
  );
  assert.equal(
    doc
      .paths[
        "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}"
      ].put,
    undefined,
  );
  assert.equal(Object.isFrozen(crd.schema), false); // the caller's schema is untouched
});

Deno.test("documents are deterministic for equal kind sets in any order", () => {
  const a = openApiV3(builtinKinds());
  const b = openApiV3(builtinKinds().reverse());
  assert.equal(JSON.stringify([...a]), JSON.stringify([...b]));
});
