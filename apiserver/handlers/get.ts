/**
 * GET of one object (and of its `status` subresource).
 *
 * @module
 */

import { methodNotAllowedError } from "../status/mod.ts";
import { ApiResponse } from "../http/response.ts";
import { keyOf, type ResourceContext } from "./context.ts";
import { objectConversion, objectResponse } from "./respond.ts";
import { hasTypeMeta } from "./json_items.ts";
import { jsonReadsOf } from "../../storage/cacher/mod.ts";
import { apiVersionOf } from "../resources/types.ts";

/** Handles `get`. */
export async function handleGet(ctx: ResourceContext): Promise<Response> {
  if (
    ctx.subresource &&
    !ctx.def.subresources?.[ctx.subresource]?.verbs.includes("get")
  ) {
    throw methodNotAllowedError();
  }
  const rv = ctx.query.get("resourceVersion") ?? "";
  // Negotiated before the read (406 before 404, as upstream).
  const conv = objectConversion(ctx);
  // A plain JSON GET of a kind served as stored writes the stored text when
  // it already carries the kind's type meta (no decode, no re-encode).
  const json = !ctx.subresource && !ctx.def.decode && !conv
    ? jsonReadsOf(ctx.store)
    : undefined;
  if (json) {
    const text = await json.getJson(keyOf(ctx), { resourceVersion: rv });
    if (hasTypeMeta(text, apiVersionOf(ctx.def), ctx.def.kind)) {
      return new ApiResponse(text + "\n", {
        headers: { "content-type": "application/json" },
      });
    }
    return objectResponse(ctx, conv, JSON.parse(text));
  }
  const obj = await ctx.store.get(keyOf(ctx), { resourceVersion: rv });
  return objectResponse(ctx, conv, obj);
}
