/**
 * The revision-log layer: the {@linkcode Log} contract a database backend
 * implements, and the generic {@linkcode LogStore} / {@linkcode LogStoreFactory}
 * that turn any `Log` into the full storage contract (optimistic concurrency,
 * predicates, paging, continue tokens, watch fan-out with history and
 * bookmarks). {@linkcode storedEvent} (a watch event built lazily from
 * stored JSON text, with `WatchEvent.text`) also serves etcd, which stores
 * objects in the same form.
 *
 * @example
 * ```ts
 * import { LogStoreFactory } from "./mod.ts";
 * const factory = new LogStoreFactory(myLog, { bookmarkIntervalMs: 60_000 });
 * const store = factory.storeFor({ resource: "configmaps" });
 * ```
 *
 * @module
 */

export * from "./log.ts";
export { LogStore } from "./log_store.ts";
export {
  DEFAULT_BOOKMARK_INTERVAL_MS,
  DEFAULT_WATCH_BUFFER_SIZE,
  LogStoreFactory,
  type LogStoreFactoryOptions,
} from "./log_store_factory.ts";
export {
  type CorruptDeleteOps,
  deleteWhileCorrupt,
  MAX_WRITE_ATTEMPTS,
} from "./_writes.ts";
export { corruptPlaceholder, storedEvent } from "./_stored_event.ts";
/**
 * `decodeStored(data, rv, key)`: parses a stored value (JSON without a
 * resourceVersion) and stamps `rv`; a value that is not a JSON object throws
 * a `CorruptObject` storage error naming `key`. Exported for etcd, which
 * stores objects in the same form and must call the same values corrupt.
 */
export { decodeStored } from "./_decode.ts";
export {
  checkLogObjectKey,
  checkLogPrefix,
  checkLogRevision,
  checkLogValue,
} from "./log_input.ts";
export { canCountRange, type RangeCountingLog } from "./range_count.ts";
export {
  canReadSync,
  type LatestValue,
  type SyncReadingLog,
} from "./sync_read.ts";
