/**
 * GET of one object (and of its `status` subresource).
 *
 * @module
 */

import { methodNotAllowedError } from "../status/mod.ts";
import { keyOf, type ResourceContext } from "./context.ts";
import { objectResponse } from "./respond.ts";

/** Handles `get`. */
export async function handleGet(ctx: ResourceContext): Promise<Response> {
  if (
    ctx.subresource &&
    !ctx.def.subresources?.[ctx.subresource]?.verbs.includes("get")
  ) {
    throw methodNotAllowedError();
  }
  const rv = ctx.query.get("resourceVersion") ?? "";
  const obj = await ctx.store.get(keyOf(ctx), { resourceVersion: rv });
  return objectResponse(ctx, obj);
}
