/**
 * GET on a collection: a `<Kind>List` (or Table) page with selectors,
 * `limit`/`continue` and resourceVersion semantics from the store.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { jsonResponse } from "../http/response.ts";
import { parseAccept, wantsTable } from "../http/media_type.ts";
import { apiVersionOf, listKindOf } from "../resources/types.ts";
import { parseIncludeObject, toTable } from "../table/table.ts";
import { prefixOf, type ResourceContext, withTypeMeta } from "./context.ts";
import { parseListOptions } from "./list_options.ts";

/** Handles `list`. */
export async function handleList(ctx: ResourceContext): Promise<Response> {
  const opts = parseListOptions(ctx, false);
  const res = await ctx.store.list(prefixOf(ctx), {
    recursive: true,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    predicate: opts.predicate,
    limit: opts.limit,
    continue: opts.continue,
  });
  const listMeta: Record<string, unknown> = {
    resourceVersion: res.resourceVersion,
  };
  if (res.continue) listMeta.continue = res.continue;
  if (res.remainingItemCount !== undefined && res.continue) {
    listMeta.remainingItemCount = res.remainingItemCount;
  }
  const tableVersion = wantsTable(parseAccept(ctx.req.headers.get("accept")));
  if (tableVersion) {
    return jsonResponse(
      toTable(ctx.def, res.items.map((o) => withTypeMeta(ctx.def, o)), {
        includeObject: parseIncludeObject(ctx.query),
        now: ctx.services.now(),
        version: tableVersion,
        listMeta,
      }),
    );
  }
  return jsonResponse(listBody(ctx, res.items, listMeta));
}

/** A `<Kind>List` of `items` (items without type meta, as upstream). */
export function listBody(
  ctx: ResourceContext,
  items: KubeObject[],
  listMeta: Record<string, unknown>,
): Record<string, unknown> {
  return {
    kind: listKindOf(ctx.def),
    apiVersion: apiVersionOf(ctx.def),
    metadata: listMeta,
    items: items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
  };
}
