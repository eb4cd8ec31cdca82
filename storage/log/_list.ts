/**
 * `Store.list` on a revision log, after the etcd3 store's `GetList`:
 * resourceVersion match rules, paging with continue tokens read at the first
 * page's revision, and predicate filtering before the limit. A corrupt value
 * fails the list, never silently skipped: the list reads on, collecting up to
 * `MAX_CORRUPT_KEYS` corrupt keys, and throws a `CorruptObjectsError` naming
 * them all (upstream's aggregated corrupt-object list error).
 *
 * @module
 */

import {
  CorruptCollector,
  expiredContinue,
  invalidArgument,
  isStorageError,
  tooLargeResourceVersion,
} from "../errors.ts";
import { decodeContinue, encodeContinue } from "../continue_token.ts";
import type { KubeObject } from "../object.ts";
import { decodeStored } from "./_decode.ts";
import type { ListOptions, ListResult } from "../store.ts";
import type { Log, LogListResult } from "./log.ts";
import { matcher, matchesEverything, parseRV } from "./_checks.ts";
import { canCountRange } from "./range_count.ts";

/** Upstream's cap on one read while filling a filtered page. */
const MAX_FETCH = 10_000;

/** How a list reads: at a fixed revision, or at the latest one. */
interface ReadPlan {
  /** First key to read. */
  start: string;
  /** The revision to read at; 0 = latest. */
  atRevision: number;
  /** For "not older than" reads: the lowest acceptable revision. */
  minRevision: number;
  /** True when the read continues a previous page. */
  continued: boolean;
}

function planRead(
  prefix: string,
  opts: ListOptions,
  paging: boolean,
): ReadPlan {
  const match = opts.resourceVersionMatch ?? "";
  if (match !== "" && match !== "NotOlderThan" && match !== "Exact") {
    throw invalidArgument(`unknown resourceVersionMatch value: ${match}`);
  }
  const rv = parseRV(opts.resourceVersion);
  if (opts.recursive && opts.continue) {
    if (opts.resourceVersion && opts.resourceVersion !== "0") {
      throw invalidArgument(
        "specifying resource version is not allowed when using continue",
      );
    }
    if (match !== "") {
      throw invalidArgument(
        "resourceVersionMatch is forbidden when continue is provided",
      );
    }
    const token = decodeContinue(prefix, opts.continue);
    return {
      start: token.startKey,
      atRevision: token.revision,
      minRevision: 0,
      continued: true,
    };
  }
  if (match !== "" && !opts.resourceVersion) {
    throw invalidArgument(
      "resourceVersionMatch is forbidden unless resourceVersion is provided",
    );
  }
  if (match === "Exact" && rv === 0) {
    throw invalidArgument(
      'resourceVersionMatch "Exact" is forbidden for resourceVersion "0"',
    );
  }
  const exact = rv > 0 && (match === "Exact" || (match === "" && paging));
  return {
    start: prefix,
    atRevision: exact ? rv : 0,
    minRevision: exact ? 0 : rv,
    continued: false,
  };
}

async function read(
  log: Log,
  prefix: string,
  start: string,
  atRevision: number,
  limit: number,
  continued: boolean,
): Promise<LogListResult> {
  try {
    return await log.list(prefix, { startKey: start, atRevision, limit });
  } catch (err) {
    if (continued && isStorageError(err, "Expired")) {
      throw expiredContinue(atRevision);
    }
    throw err;
  }
}

/** Counts live keys under `prefix` from `start` at `revision`. */
async function countFrom(
  log: Log,
  prefix: string,
  start: string,
  revision: number,
): Promise<number> {
  if (canCountRange(log)) return await log.countFrom(prefix, start, revision);
  const res = await log.list(prefix, { startKey: start, atRevision: revision });
  return res.records.length;
}

/** Implements `Store.list` for `key` (already checked) on `log`. */
export async function listFromLog(
  log: Log,
  key: string,
  opts: ListOptions,
): Promise<ListResult> {
  const limit = opts.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw invalidArgument(
      `invalid limit ${limit}: must be a non-negative integer`,
    );
  }
  const paging = opts.recursive && limit > 0;
  const plan = planRead(key, opts, paging);
  const matches = matcher(opts.predicate);

  if (!opts.recursive) {
    const res = await read(log, key, key, plan.atRevision, 1, false);
    if (plan.minRevision > res.revision) {
      throw tooLargeResourceVersion(plan.minRevision, res.revision);
    }
    const items: KubeObject[] = [];
    const rec = res.records[0];
    if (rec?.key === key) {
      const corrupt = new CorruptCollector();
      const obj = corrupt.attempt(() =>
        decodeStored(rec.value, rec.modRevision, rec.key)
      );
      corrupt.throwIfAny(key);
      if (obj && matches(obj)) items.push(obj);
    }
    return { items, resourceVersion: String(res.revision) };
  }

  const items: KubeObject[] = [];
  let revision = plan.atRevision;
  let start = plan.start;
  let fetch = paging ? limit : 0;
  let lastKey = "";
  let hasMore = false;
  const corrupt = new CorruptCollector();
  for (;;) {
    const res = await read(log, key, start, revision, fetch, plan.continued);
    if (revision === 0) {
      revision = res.revision;
      if (plan.minRevision > revision) {
        throw tooLargeResourceVersion(plan.minRevision, revision);
      }
    }
    let filled = false;
    for (const rec of res.records) {
      if (paging && items.length >= limit) {
        filled = true;
        break;
      }
      lastKey = rec.key;
      const obj = corrupt.attempt(() =>
        decodeStored(rec.value, rec.modRevision, rec.key)
      );
      if (obj === undefined) {
        if (corrupt.full) break;
        continue;
      }
      if (matches(obj)) items.push(obj);
    }
    if (corrupt.full) break;
    hasMore = filled || res.more;
    if (!hasMore || !paging || items.length >= limit) break;
    if (res.records.length === 0) break;
    fetch = Math.min(fetch * 2, MAX_FETCH);
    start = lastKey + "\u0000";
  }

  corrupt.throwIfAny(key);
  const result: ListResult = { items, resourceVersion: String(revision) };
  if (hasMore && paging) {
    const next = lastKey + "\u0000";
    result.continue = encodeContinue(key, next, revision);
    if (matchesEverything(opts.predicate)) {
      result.remainingItemCount = await countFrom(log, key, next, revision);
    }
  }
  return result;
}
