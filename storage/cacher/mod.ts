/**
 * The watch cache: serves get, list and watch of each resource from memory,
 * fed by one backend watch per resource, with resourceVersion semantics as
 * kube-apiserver's cacher (consistent reads wait for the cache to catch up).
 * Wrap any backend with {@linkcode cachedStoreFactory}.
 *
 * @example
 * ```ts
 * import { cachedStoreFactory } from "./storage/cacher/mod.ts";
 * const factory = cachedStoreFactory(await backend.open(values, ctx));
 * ```
 *
 * @module
 */

export { cachedStoreFactory } from "./factory.ts";
export { CachedStore } from "./cached_store.ts";
export {
  type JsonListResult,
  type JsonReads,
  jsonReadsOf,
} from "./json_reads.ts";
export { holdsKey, type KeyReads, keyReadsOf } from "./key_reads.ts";
export {
  createQuietly,
  createQuietlyOrUpdate,
  type QuietCreates,
  quietCreatesOf,
} from "./quiet_creates.ts";
export {
  keyFitsHint,
  type KeyHint,
  keyHintOf,
  withKeyHint,
} from "./key_hint.ts";
export {
  type CacherOptions,
  keyFromEvent,
  resolveCacherOptions,
  type ResolvedCacherOptions,
} from "./options.ts";
