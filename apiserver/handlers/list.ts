/**
 * GET on a collection: a `<Kind>List` (or Table, or
 * PartialObjectMetadataList) page with selectors,
 * `limit`/`continue` and resourceVersion semantics from the store.
 *
 * @module
 */

import type { KubeObject, ListResult } from "../../storage/mod.ts";
import { listResponse } from "./list_stream.ts";
import { BIG_LIST_ITEMS, type ListLane, ListLanes } from "./list_lanes.ts";
import type { Conversion } from "../http/media_type.ts";
import { apiVersionOf, listKindOf } from "../resources/types.ts";
import { parseIncludeObject, toTable } from "../table/table.ts";
import { prefixOf, type ResourceContext, withTypeMeta } from "./context.ts";
import { parseListOptions } from "./list_options.ts";
import { WILDCARD_CLUSTER, wildcardPrefix } from "../routing/wildcard.ts";
import { listAcrossClusters } from "./list_across_clusters.ts";
import { type JsonListResult, jsonReadsOf } from "../../storage/cacher/mod.ts";
import { withoutTypeMeta } from "./json_items.ts";
import {
  partialListHead,
  partialObjectMetadata,
  readConversion,
} from "./partial_metadata.ts";

/** Handles `list` (in one cluster, or across clusters for cluster `*`). */
export async function handleList(ctx: ResourceContext): Promise<Response> {
  const opts = parseListOptions(ctx, false);
  const conv = readConversion(ctx, "list");
  const key = ctx.cluster === WILDCARD_CLUSTER
    ? wildcardPrefix(ctx.def) + ctx.namespace
    : prefixOf(ctx);
  const lane = opts.limit && opts.limit <= BIG_LIST_ITEMS
    ? NO_LANE
    : await lanesOf(ctx.services).enter(key);
  const storeOpts = {
    recursive: true,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    predicate: opts.predicate,
    limit: opts.limit,
    continue: opts.continue,
  };
  // Plain JSON lists of kinds served as stored are written from the
  // stored texts: no decoded copy per item, no re-encoding.
  const json = ctx.cluster !== WILDCARD_CLUSTER && !ctx.def.decode && !conv
    ? jsonReadsOf(ctx.store)
    : undefined;
  let res: ListResult | JsonListResult;
  try {
    res = json
      ? await json.listJson(prefixOf(ctx), storeOpts)
      : ctx.cluster === WILDCARD_CLUSTER
      ? await listAcrossClusters(ctx, opts)
      : await ctx.store.list(prefixOf(ctx), storeOpts);
  } catch (e) {
    lane.release();
    throw e;
  }
  const count = res.items.length;
  try {
    const encoded = () => lane.release(count);
    return json
      ? respondJson(ctx, res as JsonListResult, encoded)
      : listAnswer(ctx, res as ListResult, conv, encoded);
  } catch (e) {
    lane.release();
    throw e;
  }
}

const NO_LANE: ListLane = { release() {} };

/**
 * Each API server's lanes, found from its services (one object per server;
 * the lanes go with it).
 */
const LANES = new WeakMap<object, ListLanes>();

function lanesOf(services: object): ListLanes {
  let lanes = LANES.get(services);
  if (!lanes) LANES.set(services, lanes = new ListLanes());
  return lanes;
}

function listMetaOf(
  res: ListResult | JsonListResult,
): Record<string, unknown> {
  const listMeta: Record<string, unknown> = {
    resourceVersion: res.resourceVersion,
  };
  if (res.continue) listMeta.continue = res.continue;
  if (res.remainingItemCount !== undefined && res.continue) {
    listMeta.remainingItemCount = res.remainingItemCount;
  }
  return listMeta;
}

/** Writes the list page `res` of stored JSON texts (plain JSON only). */
function respondJson(
  ctx: ResourceContext,
  res: JsonListResult,
  encoded: () => void,
): Response {
  return listResponse(
    JSON.stringify(listBody(ctx, [], listMetaOf(res))),
    "items",
    res.items,
    (chunk) => chunk.map(withoutTypeMeta),
    encoded,
    true,
  );
}

/**
 * Writes the list page `res` (a Table or PartialObjectMetadataList when
 * `conv` says so; `readConversion(ctx, "list")`); `encoded` as in
 * listResponse. A list and a deletecollection answer through here.
 */
export function listAnswer(
  ctx: ResourceContext,
  res: ListResult,
  conv: Conversion | undefined,
  encoded: () => void = () => {},
): Response {
  const listMeta = listMetaOf(res);
  if (conv?.kind === "PartialObjectMetadataList") {
    // Items carry their kind and apiVersion, as upstream's.
    const { decode } = ctx.def;
    return listResponse(
      JSON.stringify(partialListHead(listMeta, conv.version)),
      "items",
      res.items,
      (chunk) =>
        chunk.map((o) =>
          partialObjectMetadata(decode ? decode(o) : o, conv.version)
        ),
      encoded,
    );
  }
  if (conv?.kind === "Table") {
    const opts = {
      includeObject: parseIncludeObject(ctx.query),
      now: ctx.services.now(),
      version: conv.version,
      listMeta,
    };
    // The Table's rows come last: its head is a Table without rows.
    return listResponse(
      JSON.stringify(toTable(ctx.def, [], opts)),
      "rows",
      res.items,
      (chunk) =>
        toTable(ctx.def, chunk.map((o) => withTypeMeta(ctx.def, o)), opts)
          .rows as unknown[],
      encoded,
    );
  }
  return listResponse(
    JSON.stringify(listBody(ctx, [], listMeta)),
    "items",
    res.items,
    (chunk) => listBody(ctx, chunk, listMeta).items as unknown[],
    encoded,
  );
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
    items: items.map((o) => {
      const { apiVersion: _a, kind: _k, ...rest } = ctx.def.decode
        ? ctx.def.decode(o)
        : o;
      return rest;
    }),
  };
}
