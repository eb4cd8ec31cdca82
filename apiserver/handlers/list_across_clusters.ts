/**
 * A list page across clusters (cluster `*`): the store lists the resource's
 * prefix in every cluster, so `limit`, `continue`, `resourceVersion` and
 * `resourceVersionMatch` mean what they mean on any list (the continue token
 * is the store's, reading later pages at the first page's revision; an
 * expired one is `410 Expired`). A list page carries objects but not their
 * storage keys, and every item must name its cluster: a page whose key
 * range lies in one cluster (most pages) names it from the range; otherwise
 * each item's key is found among the keys of the range (the watch cache's
 * index, or the keyed initial events of a watch without a cache) and
 * confirmed by the object's uid; an object deleted or replaced since the
 * page's revision takes the cluster of its neighbours when both share one.
 * An item whose cluster is still unknown (deleted since, at a cluster
 * boundary of the page) makes the page `410 Expired`: the client lists
 * again, as after a compacted revision.
 *
 * @module
 */

import type {
  KubeObject,
  ListOptions,
  ListResult,
  Store,
} from "../../storage/mod.ts";
import {
  clusterFromKey,
  decodeContinue,
  expired,
  INITIAL_EVENTS_END_ANNOTATION,
  prefixEnd,
} from "../../storage/mod.ts";
import { keyReadsOf } from "../../storage/cacher/mod.ts";
import type { ResourceContext } from "./context.ts";
import type { ListOpts } from "./list_options.ts";
import {
  inNamespace,
  servedAcrossClusters,
  wildcardPrefix,
} from "../routing/wildcard.ts";

/** One page of every cluster's objects, each annotated with its cluster. */
export async function listAcrossClusters(
  ctx: ResourceContext,
  opts: ListOpts,
): Promise<ListResult> {
  const prefix = wildcardPrefix(ctx.def);
  const storeOpts: ListOptions = {
    recursive: true,
    resourceVersion: opts.resourceVersion,
    resourceVersionMatch: opts.resourceVersionMatch,
    predicate: inNamespace(opts.predicate, ctx.namespace),
    limit: opts.limit,
    continue: opts.continue,
  };
  const page = await ctx.store.list(prefix, storeOpts);
  const start = opts.continue
    ? decodeContinue(prefix, opts.continue).startKey
    : prefix;
  const end = page.continue
    ? decodeContinue(prefix, page.continue).startKey
    : prefixEnd(prefix);
  const keys = await keysOfPage(ctx.store, prefix, page, start, end);
  const items: KubeObject[] = [];
  page.items.forEach((obj, i) => {
    const item = servedAcrossClusters(obj, keys[i], ctx.acrossClusters);
    if (item) items.push(item);
  });
  return { ...page, items };
}

/** `…/<namespace>/<name>` or `…/<name>`: a key after its cluster segment. */
function nameSuffix(obj: KubeObject): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : `${name}`;
}

/**
 * The storage key of each item of `page`, whose items all have keys in
 * `[start, end)` under `prefix` (`…/clusters/`).
 */
export async function keysOfPage(
  store: Store,
  prefix: string,
  page: ListResult,
  start: string,
  end: string,
): Promise<string[]> {
  if (page.items.length === 0) return [];
  const first = start === prefix ? undefined : clusterFromKey(start);
  const last = clusterFromKey(end);
  if (first !== undefined && first === last) {
    return page.items.map((o) => `${prefix}${first}/${nameSuffix(o)}`);
  }
  const found = await candidatesIn(store, prefix, start, end);
  // Each item's key among the range's current keys, confirmed by its uid
  // (uids are unique, so a confirmed key is exact).
  const keys: (string | undefined)[] = [];
  let previous = "";
  for (const obj of page.items) {
    const uid = obj.metadata.uid;
    let key: string | undefined;
    for (const c of found.candidates.get(nameSuffix(obj)) ?? []) {
      if (c <= previous) continue;
      if (uid === undefined || (await found.uidOf(c)) === uid) {
        key = c;
        break;
      }
    }
    keys.push(key);
    if (key !== undefined) previous = key;
  }
  // An object deleted or replaced since the page's revision lies, in key
  // order, between its neighbours: when both are in one cluster, so is it.
  const clusters = keys.map((k) =>
    k === undefined ? undefined : clusterFromKey(k)
  );
  return page.items.map((obj, i) => {
    if (keys[i] !== undefined) return keys[i];
    let before = first;
    for (let j = i - 1; j >= 0; j--) {
      if (clusters[j] !== undefined) {
        before = clusters[j];
        break;
      }
    }
    let after = last;
    for (let j = i + 1; j < keys.length; j++) {
      if (clusters[j] !== undefined) {
        after = clusters[j];
        break;
      }
    }
    if (before === undefined || before !== after) {
      // Its cluster is in no index we can read: the client lists again.
      const revision = Number(page.resourceVersion);
      throw expired(revision, revision);
    }
    return `${prefix}${before}/${nameSuffix(obj)}`;
  });
}

/** Keys in a range by name suffix, and the current uid at a key. */
interface Candidates {
  candidates: Map<string, string[]>;
  uidOf(key: string): Promise<string | undefined>;
}

function bySuffix(prefix: string, keys: Iterable<string>) {
  const out = new Map<string, string[]>();
  for (const key of keys) {
    const slash = key.indexOf("/", prefix.length);
    if (slash < 0) continue;
    const suffix = key.slice(slash + 1);
    const list = out.get(suffix);
    if (list) list.push(key);
    else out.set(suffix, [key]);
  }
  return out;
}

async function candidatesIn(
  store: Store,
  prefix: string,
  start: string,
  end: string,
): Promise<Candidates> {
  const cached = keyReadsOf(store)?.currentKeys(start, end);
  if (cached) {
    return {
      candidates: bySuffix(prefix, cached),
      uidOf: async (key) => {
        try {
          return (await store.get(key, { resourceVersion: "0" })).metadata
            .uid;
        } catch {
          return undefined; // deleted meanwhile
        }
      },
    };
  }
  // No cache: the initial events of a watch carry keys (and objects).
  const uids = new Map<string, string | undefined>();
  const stop = new AbortController();
  const watcher = await store.watch(prefix, {
    recursive: true,
    sendInitialEvents: true,
    allowBookmarks: true,
    signal: stop.signal,
  });
  try {
    for await (const ev of watcher) {
      if (ev.type === "ERROR") throw ev.error;
      if (ev.type === "BOOKMARK") {
        const ann = ev.object.metadata.annotations ?? {};
        if (ann[INITIAL_EVENTS_END_ANNOTATION] === "true") break;
        continue;
      }
      if (ev.key && ev.key >= start && ev.key < end) {
        uids.set(ev.key, ev.object.metadata.uid);
      }
    }
  } finally {
    stop.abort();
    watcher.stop();
  }
  return {
    candidates: bySuffix(prefix, uids.keys()),
    uidOf: (key) => Promise.resolve(uids.get(key)),
  };
}
