/**
 * OpenAPI v3: the `/openapi/v3` index and one `openapi: 3.0.0` document per
 * group version (`/openapi/v3/api/v1`, `/openapi/v3/apis/<g>/<v>`).
 *
 * @module
 */

import { buildModel, definitionsOf, type GroupVersionModel } from "./_model.ts";
import type { Json } from "./_definitions.ts";
import type { Operation, Param, PathItem } from "./_operations.ts";
import type { ServedKind } from "./types.ts";

const RESPONSE_TYPES = ["application/json", "application/yaml"];

function param(p: Param): Json {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function operation(op: Operation): Json {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const content = (name: string, types: string[]) =>
    Object.fromEntries(types.map((t) => [t, { schema: ref(name) }]));
  const responses: Json = {};
  for (const [code, name] of Object.entries(op.responses)) {
    responses[code] = {
      description: code === "201"
        ? "Created"
        : code === "202"
        ? "Accepted"
        : "OK",
      content: content(name, RESPONSE_TYPES),
    };
  }
  responses["401"] = { description: "Unauthorized" };
  return {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
    ...(op.params.length ? { parameters: op.params.map(param) } : {}),
    ...(op.body
      ? {
        requestBody: { content: content(op.body, op.consumes), required: true },
      }
      : {}),
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

function document(gv: GroupVersionModel, extensions: Map<string, Json>): Json {
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.35.0" },
    paths: Object.fromEntries(gv.paths.map((p) => [p.path, pathItem(p)])),
    components: {
      schemas: Object.fromEntries(definitionsOf("v3", gv.roots, extensions)),
      securitySchemes: {
        BearerToken: {
          type: "apiKey",
          description: "Bearer Token authentication",
          name: "authorization",
          in: "header",
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}

/**
 * The v3 documents of the served kinds by group-version path (`api/v1`,
 * `apis/coordination.k8s.io/v1`), each with its own `components.schemas`.
 */
export function openApiV3(kinds: readonly ServedKind[]): Map<string, Json> {
  const model = buildModel(kinds, "v3");
  return new Map(
    model.groupVersions.map((gv) => [gv.path, document(gv, model.extensions)]),
  );
}
