/**
 * Writes a resource handler's one-object result: the plain JSON object, or a
 * Table or PartialObjectMetadata when the client's `Accept` asks for one. As
 * upstream's `transformResponseObject`, get, create, update, patch and delete
 * all answer through here, with the conversion negotiated once, before
 * anything is read or written ({@linkcode objectConversion}).
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { jsonResponse } from "../http/response.ts";
import { beforeBody } from "../http/body.ts";
import { partialObjectMetadata, readConversion } from "./partial_metadata.ts";
import {
  type IncludeObject,
  parseIncludeObject,
  toTable,
} from "../table/table.ts";
import { type ResourceContext, withTypeMeta } from "./context.ts";

/** How one object is answered, as negotiated from `Accept` and the query. */
export interface ObjectConversion {
  kind: "Table" | "PartialObjectMetadata";
  /** `meta.k8s.io` version: `v1` or `v1beta1`. */
  version: string;
  /** What each Table row embeds (`includeObject`; Table only). */
  includeObject: IncludeObject;
}

/**
 * The conversion a request answered with one object asks for (`undefined`:
 * the plain object). Throws 406 NotAcceptable when the `Accept` cannot be
 * met (as upstream's `NegotiateOutputMediaType`, before the read or write)
 * and 400 for a bad `includeObject` of a Table.
 */
export function objectConversion(
  ctx: ResourceContext,
): ObjectConversion | undefined {
  const conv = readConversion(ctx, "object");
  if (conv === undefined || conv.kind === "PartialObjectMetadataList") {
    return undefined; // (readConversion refuses a list form of an object)
  }
  return {
    kind: conv.kind,
    version: conv.version,
    includeObject: conv.kind === "Table"
      ? parseIncludeObject(ctx.query)
      : "None",
  };
}

/**
 * {@linkcode objectConversion} for a write: a refused `Accept` leaves the
 * request body unread, so it is cancelled before the error is thrown.
 */
export function writeConversion(
  ctx: ResourceContext,
): Promise<ObjectConversion | undefined> {
  return beforeBody(ctx.req, () => objectConversion(ctx));
}

/**
 * Responds with one object, converted as `conv` says (a one-row Table, a
 * PartialObjectMetadata). A subresource with a view of its own (a Scale)
 * answers with the view.
 */
export function objectResponse(
  ctx: ResourceContext,
  conv: ObjectConversion | undefined,
  obj: KubeObject,
  code = 200,
): Response {
  const view = ctx.subresource
    ? ctx.def.subresources?.[ctx.subresource]?.view
    : undefined;
  if (view) return jsonResponse(view(obj), code);
  const typed = withTypeMeta(ctx.def, obj);
  if (conv?.kind === "Table") {
    // A dry-run create has no resourceVersion yet: none in the Table either
    // (upstream's ListMeta omits an empty one).
    const rv = typed.metadata.resourceVersion;
    return jsonResponse(
      toTable(ctx.def, [typed], {
        includeObject: conv.includeObject,
        now: ctx.services.now(),
        version: conv.version,
        listMeta: rv ? { resourceVersion: rv } : {},
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
