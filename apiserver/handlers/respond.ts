/**
 * Writes a resource handler's result: the plain JSON object, or on a GET a
 * Table or PartialObjectMetadata when the client asks for one.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { jsonResponse } from "../http/response.ts";
import { partialObjectMetadata, readConversion } from "./partial_metadata.ts";
import { parseIncludeObject, toTable } from "../table/table.ts";
import { type ResourceContext, withTypeMeta } from "./context.ts";

/**
 * Responds with one object (on a GET, as a one-row Table or a
 * PartialObjectMetadata when asked).
 */
export function objectResponse(
  ctx: ResourceContext,
  obj: KubeObject,
  code = 200,
): Response {
  const view = ctx.subresource
    ? ctx.def.subresources?.[ctx.subresource]?.view
    : undefined;
  if (view) return jsonResponse(view(obj), code);
  const typed = withTypeMeta(ctx.def, obj);
  const conv = ctx.req.method === "GET"
    ? readConversion(ctx, "object")
    : undefined;
  if (conv?.kind === "Table") {
    return jsonResponse(
      toTable(ctx.def, [typed], {
        includeObject: parseIncludeObject(ctx.query),
        now: ctx.services.now(),
        version: conv.version,
        listMeta: { resourceVersion: typed.metadata.resourceVersion ?? "" },
      }),
      code,
    );
  }
  if (conv?.kind === "PartialObjectMetadata") {
    return jsonResponse(partialObjectMetadata(typed, conv.version), code);
  }
  return jsonResponse(typed, code);
}

/** The `Status` of a successful delete (for kinds that do not return the object). */
export function deletedStatus(ctx: ResourceContext, obj: KubeObject) {
  const details: Record<string, unknown> = { name: obj.metadata.name };
  if (ctx.def.group) details.group = ctx.def.group;
  details.kind = ctx.def.plural;
  if (obj.metadata.uid) details.uid = obj.metadata.uid;
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details,
  };
}
