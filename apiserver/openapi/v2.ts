/**
 * The OpenAPI v2 (`swagger: "2.0"`) document of `/openapi/v2`.
 *
 * @module
 */

import { buildModel, definitionsOf } from "./_model.ts";
import type { Json } from "./_definitions.ts";
import type { Operation, Param, PathItem } from "./_operations.ts";
import type { ServedKind } from "./types.ts";

const PRODUCES = [
  "application/json",
  "application/yaml",
  "application/vnd.kubernetes.protobuf",
];

function param(p: Param): Json {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
  };
}

function operation(op: Operation): Json {
  const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
  const responses: Json = {};
  for (const [code, name] of Object.entries(op.responses)) {
    responses[code] = {
      description: code === "201"
        ? "Created"
        : code === "202"
        ? "Accepted"
        : "OK",
      schema: ref(name),
    };
  }
  responses["401"] = { description: "Unauthorized" };
  const params = op.params.map(param);
  if (op.body) {
    params.unshift({
      name: "body",
      in: "body",
      required: true,
      schema: ref(op.body),
    });
  }
  return {
    description: op.description,
    consumes: op.consumes,
    produces: PRODUCES,
    schemes: ["https"],
    tags: [op.tag],
    operationId: op.operationId,
    ...(params.length ? { parameters: params } : {}),
    responses,
    "x-kubernetes-action": op.action,
    "x-kubernetes-group-version-kind": op.gvk,
  };
}

function pathItem(item: PathItem): Json {
  const out: Json = {};
  for (const op of item.operations) out[op.method] = operation(op);
  out.parameters = item.params.map(param);
  return out;
}

/**
 * The v2 document of the served kinds: `definitions` named as upstream with
 * `$ref`s between them, kinds carrying `x-kubernetes-group-version-kind`,
 * and the REST `paths`.
 */
export function openApiV2(kinds: readonly ServedKind[]): Json {
  const model = buildModel(kinds, "v2");
  const paths: Json = {};
  for (const gv of model.groupVersions) {
    for (const item of gv.paths) paths[item.path] = pathItem(item);
  }
  const roots = model.groupVersions.flatMap((gv) => gv.roots);
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: "v1.35.0" },
    paths: Object.fromEntries(
      Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)),
    ),
    definitions: Object.fromEntries(
      definitionsOf("v2", roots, model.extensions),
    ),
    securityDefinitions: {
      BearerToken: {
        description: "Bearer Token authentication",
        type: "apiKey",
        name: "authorization",
        in: "header",
      },
    },
    security: [{ BearerToken: [] }],
  };
}
