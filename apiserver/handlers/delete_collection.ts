/**
 * DELETE on a collection: deletes every object matching the selectors and
 * returns the list of them as they were before deletion (or, as a list
 * read, a Table or PartialObjectMetadataList when `Accept` asks for one).
 *
 * @module
 */

import { beforeBody } from "../http/body.ts";
import { type ApiError, invalidError, toApiError } from "../status/mod.ts";
import { invalid } from "../validation/field_error.ts";
import { parseIncludeObject } from "../table/table.ts";
import { keyOf, prefixOf, type ResourceContext } from "./context.ts";
import {
  IGNORE_STORE_READ_ERROR,
  readDeleteOptions,
} from "./delete_options.ts";
import { deleteObject } from "./delete.ts";
import { listAnswer } from "./list.ts";
import { parseListOptions } from "./list_options.ts";
import { readConversion } from "./partial_metadata.ts";

/** Handles `deletecollection`. */
export async function handleDeleteCollection(
  ctx: ResourceContext,
): Promise<Response> {
  // Negotiated before anything is read or deleted, as upstream; a bad
  // includeObject is refused before anything is deleted too.
  const conv = await beforeBody(ctx.req, () => {
    const asked = readConversion(ctx, "list");
    if (asked?.kind === "Table") parseIncludeObject(ctx.query);
    return asked;
  });
  const listOpts = parseListOptions(ctx, false);
  const opts = await readDeleteOptions(ctx);
  if (opts.ignoreStoreReadError) {
    // As upstream: the unsafe delete is for one named corrupt object only.
    throw invalidError("meta.k8s.io", "DeleteOptions", "", [
      invalid(
        IGNORE_STORE_READ_ERROR,
        true,
        "is not allowed with DELETECOLLECTION, try again after removing the option",
      ),
    ]);
  }
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
  return listAnswer(
    ctx,
    { items: done, resourceVersion: res.resourceVersion },
    conv,
  );
}
