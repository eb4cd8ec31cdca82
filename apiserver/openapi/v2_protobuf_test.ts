import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { builtinKinds } from "../../tests/support/openapi_builtin_kinds.ts";
import { openApiV2 } from "./v2.ts";
import {
  decodeOpenApiV2Protobuf,
  encodeOpenApiV2Protobuf,
  toGnosticDocument,
} from "./v2_protobuf.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

function named(list: Any[], name: string): Any {
  return list.find((x) => x.name === name)?.value;
}

Deno.test("the protobuf v2 document decodes to the JSON document's content", () => {
  const json = openApiV2(builtinKinds()) as Any;
  const doc = decodeOpenApiV2Protobuf(encodeOpenApiV2Protobuf(json)) as Any;
  assert.equal(doc.swagger, "2.0");
  assert.equal(doc.info.title, "Kubernetes");
  const defs = doc.definitions.additional_properties;
  assert.equal(defs.length, Object.keys(json.definitions).length);

  const cm = named(defs, "io.k8s.api.core.v1.ConfigMap");
  assert.deepEqual(cm.type.value, ["object"]);
  assert.equal(
    cm.description,
    json.definitions["io.k8s.api.core.v1.ConfigMap"].description,
  );
  const gvk = cm.vendor_extension.find((e: Any) =>
    e.name === "x-kubernetes-group-version-kind"
  );
  assert.deepEqual(parseYaml(gvk.value.yaml), [
    { group: "", kind: "ConfigMap", version: "v1" },
  ]);
  const props = cm.properties.additional_properties;
  assert.deepEqual(
    props.map((p: Any) => p.name),
    Object.keys(json.definitions["io.k8s.api.core.v1.ConfigMap"].properties),
  );
  const data = named(props, "data");
  assert.deepEqual(data.type.value, ["object"]);
  assert.equal(data.additional_properties.oneof, "schema");
  assert.deepEqual(data.additional_properties.schema.type.value, ["string"]);
  assert.equal(
    named(props, "metadata")._ref,
    "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  );

  const meta = named(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  const owners = named(
    meta.properties.additional_properties,
    "ownerReferences",
  );
  assert.deepEqual(owners.type.value, ["array"]);
  assert.equal(
    owners.items.schema[0]._ref,
    "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
  );
  const listType = owners.vendor_extension.find((e: Any) =>
    e.name === "x-kubernetes-list-type"
  );
  assert.equal(parseYaml(listType.value.yaml), "map");
});

Deno.test("paths, parameters and responses keep their shape", () => {
  const json = openApiV2(builtinKinds()) as Any;
  const doc = decodeOpenApiV2Protobuf(encodeOpenApiV2Protobuf(json)) as Any;
  const paths = doc.paths.path;
  assert.equal(paths.length, Object.keys(json.paths).length);
  const item = named(paths, "/api/v1/namespaces/{namespace}/configmaps");
  const post = item.post;
  assert.equal(
    post.operation_id,
    json.paths["/api/v1/namespaces/{namespace}/configmaps"].post.operationId,
  );
  const body =
    post.parameters.find((p: Any) => p.parameter?.oneof === "body_parameter")
      .parameter.body_parameter;
  assert.equal(body.in, "body");
  assert.equal(body.schema._ref, "#/definitions/io.k8s.api.core.v1.ConfigMap");
  const query = post.parameters.find((p: Any) =>
    p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name ===
      "fieldManager"
  );
  assert.ok(query, "fieldManager is a query parameter");
  const ns =
    item.parameters.find((p: Any) =>
      p.parameter?.non_body_parameter?.path_parameter_sub_schema?.name ===
        "namespace"
    ).parameter.non_body_parameter.path_parameter_sub_schema;
  assert.equal(ns.required, true);
  const ok = named(post.responses.response_code, "201");
  assert.equal(
    ok.response.schema.schema._ref,
    "#/definitions/io.k8s.api.core.v1.ConfigMap",
  );
  const action = post.vendor_extension.find((e: Any) =>
    e.name === "x-kubernetes-action"
  );
  assert.equal(parseYaml(action.value.yaml), "post");
  const sec = doc.security_definitions.additional_properties[0];
  assert.equal(sec.name, "BearerToken");
  assert.equal(sec.value.api_key_security.in, "header");
  assert.deepEqual(doc.security[0].additional_properties[0], {
    name: "BearerToken",
    value: {},
  });
});

Deno.test("free-form values become YAML and unknown schema keys are left out", () => {
  const msg = toGnosticDocument({
    swagger: "2.0",
    definitions: {
      x: {
        type: "string",
        enum: ["a", "b"],
        default: "a",
        nullable: true,
        anyOf: [{ type: "string" }],
        "x-kubernetes-int-or-string": true,
      },
    },
  }) as Any;
  const x = msg.definitions.additional_properties[0].value;
  assert.deepEqual(x.enum, [{ yaml: "a\n" }, { yaml: "b\n" }]);
  assert.deepEqual(x.default, { yaml: "a\n" });
  assert.equal(x.nullable, undefined);
  assert.equal(x.anyOf, undefined);
  assert.deepEqual(x.vendor_extension, [
    { name: "x-kubernetes-int-or-string", value: { yaml: "true\n" } },
  ]);
});
