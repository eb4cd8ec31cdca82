/**
 * Reads against etcd in store terms: one key, ranges at a revision, and the
 * resourceVersion rules of get and list (as `k8s.io/apiserver`'s etcd3
 * store). A value that is not a JSON object is a corrupt object, decided by
 * `storage/log`'s `decodeStored` as for every other backend: reads name its
 * key (`CorruptObject`), and a list reads on, collecting up to
 * `MAX_CORRUPT_KEYS` corrupt keys, then fails naming them all.
 *
 * @module
 */

import {
  CorruptCollector,
  decodeContinue,
  encodeContinue,
  expiredContinue,
  invalidArgument,
  isStorageError,
  type KubeObject,
  type ListOptions,
  type ListResult,
  parseResourceVersion,
  prefixEnd,
  tooLargeResourceVersion,
} from "../../storage/mod.ts";
import { decodeStored } from "../../storage/log/mod.ts";
import {
  type EtcdClient,
  type KeyValue,
  mapError,
  rev,
  toKeyValue,
} from "./_client.ts";

/** What the stores of one factory share. */
export interface EtcdShared {
  client: EtcdClient;
  /** The highest revision this process knows to be compacted. */
  compacted: { revision: number };
  /**
   * The server's requested watch progress is ordered with its events
   * (`progress_order.ts`).
   */
  progressInOrder: boolean;
}

/** Parses a resourceVersion or throws `InvalidArgument`. */
export function parseRv(rv: string | undefined): number {
  const n = parseResourceVersion(rv);
  if (n === undefined) {
    throw invalidArgument(`invalid resource version: ${JSON.stringify(rv)}`);
  }
  return n;
}

/**
 * Decodes a stored value (stamping `atRevision`); a value that is not a JSON
 * object throws a `CorruptObject` storage error naming the key.
 */
export function decodeKv(
  kv: KeyValue,
  atRevision = kv.modRevision,
): KubeObject {
  return decodeStored(kv.value, atRevision, kv.key);
}

/** Reads one key (latest, or at `revision`). Returns the value and the header revision. */
export async function readKey(
  shared: EtcdShared,
  key: string,
  revision = 0,
): Promise<{ kv?: KeyValue; revision: number }> {
  const { client } = shared;
  try {
    const res = await client.range({
      key: client.keys.toEtcd(key),
      revision: revision > 0 ? String(revision) : undefined,
    });
    const kv = res.kvs?.[0];
    return {
      kv: kv ? toKeyValue(client.keys, kv) : undefined,
      revision: rev(res.header?.revision),
    };
  } catch (err) {
    throw await readError(shared, err, "get", revision);
  }
}

/** Maps a read failure, looking up the current revision for "future revision" errors. */
export async function readError(
  shared: EtcdShared,
  err: unknown,
  what: string,
  revision: number,
) {
  const mapped = mapError(err, what, {
    revision,
    compacted: shared.compacted.revision,
  });
  if (mapped.code === "TooLargeResourceVersion") {
    const current = await shared.client.currentRevision().catch(() => 0);
    return tooLargeResourceVersion(revision, current);
  }
  if (mapped.code === "Expired") {
    shared.compacted.revision = Math.max(shared.compacted.revision, revision);
  }
  return mapped;
}

/** One page of raw key-values from a range. */
interface RangePage {
  kvs: KeyValue[];
  more: boolean;
  count: number;
  revision: number;
}

/** Reads keys in `[start, end)` at `revision` (0 = latest), at most `limit` (0 = all). */
export async function rangePage(
  shared: EtcdShared,
  start: string,
  end: string,
  revision: number,
  limit: number,
): Promise<RangePage> {
  const { client } = shared;
  try {
    const res = await client.range({
      key: client.keys.toEtcd(start),
      range_end: client.keys.toEtcd(end),
      revision: revision > 0 ? String(revision) : undefined,
      limit: limit > 0 ? String(limit) : undefined,
    });
    return {
      kvs: (res.kvs ?? []).map((kv) => toKeyValue(client.keys, kv)),
      more: Boolean(res.more),
      count: rev(res.count),
      revision: rev(res.header?.revision),
    };
  } catch (err) {
    throw await readError(shared, err, "list", revision);
  }
}

const MAX_PAGE = 10_000;

/** One listed key-value, with its object when a predicate decoded it already. */
export interface ListedKv {
  kv: KeyValue;
  object?: KubeObject;
}

/** A list page as raw key-values (see {@linkcode listKvs}). */
export interface KvListResult extends Omit<ListResult, "items"> {
  /** The matching key-values of the page, in key order. */
  entries: ListedKv[];
}

/** Lists per the `Store.list` contract. `key` is validated by the caller. */
export async function listObjects(
  shared: EtcdShared,
  key: string,
  opts: ListOptions,
): Promise<ListResult> {
  const { entries, ...rest } = await listKvs(shared, key, opts, true);
  return { items: entries.map((e) => e.object!), ...rest };
}

/**
 * {@linkcode listObjects} without decoding (unless `decode`): the matching
 * key-values, each value decoded only when a predicate had to look at it. A
 * watch's initial events take the stored text as it is (`storedEvent`), so
 * the watch cache's fill does not decode and re-encode every object.
 * Whatever is decoded and turns out corrupt is not counted against the
 * limit: the list reads on and fails with a `CorruptObjectsError` naming
 * every corrupt key it met (as the revision logs' list).
 */
export async function listKvs(
  shared: EtcdShared,
  key: string,
  opts: ListOptions,
  decode = false,
): Promise<KvListResult> {
  const match = opts.resourceVersionMatch ?? "";
  if (!["", "NotOlderThan", "Exact"].includes(match)) {
    throw invalidArgument(`invalid resourceVersionMatch: ${match}`);
  }
  const rvText = opts.resourceVersion ?? "";
  const rvNum = parseRv(rvText);
  const limit = opts.limit ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw invalidArgument(`invalid limit: ${limit}`);
  }
  const pred = opts.predicate;
  const decoding = decode || pred !== undefined;
  const corrupt = new CorruptCollector();

  if (!opts.recursive) {
    if (opts.continue) {
      throw invalidArgument("continue is only valid for recursive lists");
    }
    const { revision: atRev, minRev } = readRevision(match, rvText, rvNum, 0);
    const { kv, revision } = await readKey(shared, key, atRev);
    if (minRev > revision) throw tooLargeResourceVersion(minRev, revision);
    const entries: ListedKv[] = [];
    if (kv) {
      const object = decoding ? corrupt.attempt(() => decodeKv(kv)) : undefined;
      corrupt.throwIfAny(key);
      if (!pred || pred.matches(object!)) entries.push({ kv, object });
    }
    return { entries, resourceVersion: String(atRev || revision) };
  }

  const prefix = key.endsWith("/") ? key : key + "/";
  const end = prefixEnd(prefix);
  let start = prefix;
  let atRev: number;
  let minRev = 0;
  if (opts.continue) {
    if (rvText !== "" && rvText !== "0") {
      throw invalidArgument(
        "specifying resource version is not allowed when using continue",
      );
    }
    const token = decodeContinue(prefix, opts.continue);
    start = token.startKey;
    atRev = token.revision;
  } else {
    ({ revision: atRev, minRev } = readRevision(match, rvText, rvNum, limit));
  }

  const entries: ListedKv[] = [];
  let pageLimit = limit > 0 ? limit : 0;
  let first = true;
  let firstCount = 0;
  let more = false;
  let lastKey = "";
  for (;;) {
    let page: RangePage;
    try {
      page = await rangePage(shared, start, end, atRev, pageLimit);
    } catch (err) {
      if (opts.continue && isStorageError(err, "Expired")) {
        throw expiredContinue(atRev);
      }
      throw err;
    }
    if (first) {
      firstCount = page.count;
      if (atRev === 0) atRev = page.revision;
      if (minRev > page.revision) {
        throw tooLargeResourceVersion(minRev, page.revision);
      }
      first = false;
    }
    let stoppedEarly = false;
    for (let i = 0; i < page.kvs.length; i++) {
      const kv = page.kvs[i];
      lastKey = kv.key;
      let object: KubeObject | undefined;
      if (decoding) {
        object = corrupt.attempt(() => decodeKv(kv));
        if (object === undefined) {
          if (corrupt.full) break;
          continue;
        }
      }
      if (pred && !pred.matches(object!)) continue;
      entries.push({ kv, object });
      if (limit > 0 && entries.length >= limit) {
        stoppedEarly = i < page.kvs.length - 1;
        break;
      }
    }
    if (corrupt.full) break;
    if (limit > 0 && entries.length >= limit) {
      more = stoppedEarly || page.more;
      break;
    }
    if (!page.more || page.kvs.length === 0) break;
    start = lastKey + "\u0000";
    // A predicate (or corrupt values) filtered items out: fetch bigger pages
    // until the limit is met.
    pageLimit = Math.min(pageLimit * 2, MAX_PAGE);
  }

  corrupt.throwIfAny(key);
  const result: KvListResult = { entries, resourceVersion: String(atRev) };
  if (more && limit > 0) {
    result.continue = encodeContinue(prefix, lastKey + "\u0000", atRev);
    if (pred === undefined || pred.everything) {
      const remaining = firstCount - entries.length;
      if (remaining > 0) result.remainingItemCount = remaining;
    }
  }
  return result;
}

/**
 * The revision to read at (0 = latest) and the minimum the latest read must
 * reach, from `resourceVersion` and `resourceVersionMatch`.
 */
function readRevision(
  match: string,
  rvText: string,
  rvNum: number,
  limit: number,
): { revision: number; minRev: number } {
  if (match === "Exact") {
    if (rvText === "" || rvNum === 0) {
      throw invalidArgument(
        "resourceVersionMatch=Exact requires a non-zero resourceVersion",
      );
    }
    return { revision: rvNum, minRev: 0 };
  }
  if (match === "NotOlderThan") {
    if (rvText === "") {
      throw invalidArgument(
        "resourceVersionMatch=NotOlderThan requires a resourceVersion",
      );
    }
    return { revision: 0, minRev: rvNum };
  }
  if (rvText === "" || rvNum === 0) return { revision: 0, minRev: 0 };
  if (limit > 0) return { revision: rvNum, minRev: 0 };
  return { revision: 0, minRev: rvNum };
}
