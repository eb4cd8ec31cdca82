/**
 * DELETE on a collection: deletes every object matching the selectors and
 * returns the list of them as they were before deletion.
 *
 * @module
 */

import { jsonResponse } from "../http/response.ts";
import { type ApiError, toApiError } from "../status/mod.ts";
import { keyOf, prefixOf, type ResourceContext } from "./context.ts";
import { readDeleteOptions } from "./delete_options.ts";
import { deleteObject } from "./delete.ts";
import { listBody } from "./list.ts";
import { parseListOptions } from "./list_options.ts";

/** Handles `deletecollection`. */
export async function handleDeleteCollection(
  ctx: ResourceContext,
): Promise<Response> {
  const listOpts = parseListOptions(ctx, false);
  const opts = await readDeleteOptions(ctx);
  const res = await ctx.store.list(prefixOf(ctx), {
    recursive: true,
    predicate: listOpts.predicate,
  });
  const done = [];
  for (const item of res.items) {
    const name = item.metadata.name ?? "";
    const itemCtx = { ...ctx, namespace: item.metadata.namespace ?? "", name };
    try {
      const out = await deleteObject(itemCtx, keyOf(itemCtx), name, opts);
      done.push(out.deleted ? item : out.obj);
    } catch (e) {
      const err: ApiError = toApiError(e);
      if (err.code !== 404) throw err;
    }
  }
  return jsonResponse(
    listBody(ctx, done, { resourceVersion: res.resourceVersion }),
  );
}
