/**
 * The storage contract: the one seam between the API server and every
 * backend, modelled on Kubernetes' `k8s.io/apiserver/pkg/storage.Interface`.
 *
 * Revisions are integers that grow with every write to the backend (shared by
 * all resources of one backend); the `resourceVersion` clients see is the
 * revision as a decimal string. A {@linkcode Store} serves one resource (its
 * keys all start with the resource prefix from `keys.ts`), but its revisions
 * come from the backend's single sequence.
 *
 * Every failure is a `StorageError` (see `errors.ts`).
 *
 * @module
 */

import type { KubeObject } from "./object.ts";
import type { StorageError } from "./errors.ts";
import type { ResourceRef } from "./keys.ts";

/** Conditions a write or delete requires of the current object. */
export interface Preconditions {
  /** The current object must have this `metadata.uid`. */
  uid?: string;
  /** The current object must have this `metadata.resourceVersion`. */
  resourceVersion?: string;
}

/**
 * Selects objects for list and watch. `matches` must be a pure function of
 * the object. `everything` marks the predicate that matches all objects (it
 * lets a list report `remainingItemCount`).
 */
export interface Predicate {
  /** True when `obj` passes the filter. */
  matches(obj: KubeObject): boolean;
  /** The predicate matches every object. */
  everything?: boolean;
}

/** How `resourceVersion` is interpreted on list. */
export type ResourceVersionMatch = "" | "NotOlderThan" | "Exact";

/** Options for {@linkcode Store.get}. */
export interface GetOptions {
  /**
   * `""`: the latest data (a consistent read). `"0"`: any data, as fresh as the
   * store likes. `"N"`: data not older than revision N; N newer than the
   * store's current revision is a `TooLargeResourceVersion` error.
   */
  resourceVersion?: string;
}

/** Options for {@linkcode Store.list}. */
export interface ListOptions {
  /**
   * When true, `key` is a prefix (ending in `/`) and every object below it is
   * listed; when false, `key` names one object and the list has 0 or 1 items.
   */
  recursive: boolean;
  /**
   * With `resourceVersionMatch` `""`: `""` = latest (consistent), `"0"` = any,
   * `"N"` = not older than N — except that with a `limit` it means exactly N
   * (as kube-apiserver). `NotOlderThan`/`Exact` make it explicit. Exact N older
   * than the compacted revision is `Expired`; N newer than current is
   * `TooLargeResourceVersion`.
   */
  resourceVersion?: string;
  /** How `resourceVersion` applies (see above). */
  resourceVersionMatch?: ResourceVersionMatch;
  /** Filters items. Filtering happens before `limit` is applied. */
  predicate?: Predicate;
  /** Page size: at most this many matching items; 0/undefined = no limit. */
  limit?: number;
  /** An opaque token from a previous page; the list continues at that page's revision. */
  continue?: string;
}

/** One page of a list. */
export interface ListResult {
  /** The objects of the page, in key order. */
  items: KubeObject[];
  /** The revision the list was read at. */
  resourceVersion: string;
  /** Set when more items may follow; pass it as `continue` to get them. */
  continue?: string;
  /** Items after this page, when known (only with a predicate that matches everything). */
  remainingItemCount?: number;
}

/**
 * Computes the new object from the current one. `current` is `null` when the
 * key does not exist and `ignoreNotFound` is set. Return the object to store;
 * returning an object equal to `current` (same JSON) is a no-op that keeps the
 * revision. Throw to abort (the error reaches the caller unchanged).
 */
export type UpdateFunc = (
  current: KubeObject | null,
) => KubeObject | Promise<KubeObject>;

/** Options for {@linkcode Store.guaranteedUpdate}. */
export interface GuaranteedUpdateOptions {
  /** Computes the next object from the current one (`null`: missing). */
  tryUpdate: UpdateFunc;
  /** When the key is missing, call `tryUpdate(null)` and create it, instead of `NotFound`. */
  ignoreNotFound?: boolean;
  /** Checked against the current object before every attempt. */
  preconditions?: Preconditions;
  /**
   * A possibly stale copy of the current object (e.g. from a cache), tried
   * first to save a read. If it turns out stale the update is retried with
   * fresh data.
   */
  cachedExisting?: KubeObject;
}

/** Options for {@linkcode Store.delete}. */
export interface DeleteOptions {
  /** Delete only when the object still has this UID or resourceVersion. */
  preconditions?: Preconditions;
  /**
   * Called with the current object just before the delete; throw to refuse.
   * Runs again with fresh data when the first attempt lost a race.
   */
  validateDeletion?: (current: KubeObject) => void | Promise<void>;
  /** A possibly stale copy of the current object (see `cachedExisting` on update). */
  cachedExisting?: KubeObject;
  /**
   * The unsafe delete of a corrupt object (upstream's
   * `ExpectTransformOrDecodeError`): delete the key only while its stored
   * value cannot be read back (a `CorruptObject` error), without
   * preconditions, `validateDeletion` or `cachedExisting`. A value that
   * reads fine is refused with `InvalidObject`; a missing key is `NotFound`.
   * The result carries only the name, namespace and the delete's
   * resourceVersion. A store that cannot honour it throws `CorruptObject`.
   */
  expectCorrupt?: boolean;
}

/** Options for {@linkcode Store.watch}. */
export interface WatchOptions {
  /** As for {@linkcode ListOptions.recursive}. */
  recursive: boolean;
  /**
   * `""`: start with the latest state (sent as ADDED events, unless
   * `sendInitialEvents` is false) then changes. `"0"`: the same, but the
   * state may be slightly stale (e.g. from a cache) as long as later events
   * bring it up to date. `"N"`: changes after revision N; N older than the
   * compacted revision yields one ERROR event (`Expired`) and ends (a watch
   * from exactly the compacted revision is valid). Revisions reported to
   * clients are never `"0"`, even on an empty backend.
   */
  resourceVersion?: string;
  /**
   * Overrides whether the current state is sent first as ADDED events. When
   * true and `allowBookmarks` is set, the initial events end with a BOOKMARK
   * annotated `k8s.io/initial-events-end: "true"`.
   */
  sendInitialEvents?: boolean;
  /** Filters events. An object that stops matching arrives as DELETED, one that starts matching as ADDED. */
  predicate?: Predicate;
  /** Deliver BOOKMARK events (periodically and on {@linkcode Store.requestWatchProgress}). */
  allowBookmarks?: boolean;
  /** Stops the watch; the iterator ends. */
  signal?: AbortSignal;
}

/** The annotation on the BOOKMARK that ends the initial events. */
export const INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end";

/** The type of a watch event. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/**
 * One watch event. `object.metadata.resourceVersion` is the revision of the
 * event (for DELETED: the revision of the delete, with the last state of the
 * object). A BOOKMARK's object only carries `metadata.resourceVersion` (and
 * possibly annotations). An ERROR event ends the watch.
 */
export type WatchEvent =
  | {
    type: WatchEventType;
    object: KubeObject;
    /**
     * The storage key of the object. Backends always set it on ADDED,
     * MODIFIED and DELETED events (the watch cache indexes by it); a
     * BOOKMARK has none.
     */
    key?: string;
    /**
     * The object as JSON text, from a backend that holds it as text: a
     * consumer that keeps text (the watch cache) takes it without decoding
     * `object`. When set it describes `object` exactly. It is not an own
     * enumerable property, so a wrapper that builds an event with another
     * object (`{ ...ev, object }`) does not carry it over (nor, where a
     * backend decodes lazily, `object`: set it when copying an event).
     */
    readonly text?: EventText;
  }
  | { type: "ERROR"; error: StorageError };

/** The text form of a watch event's object (see {@linkcode WatchEvent}). */
export interface EventText {
  /** The object's JSON, `metadata.resourceVersion` included. */
  readonly json: string;
  /** The event's revision: `object.metadata.resourceVersion` as a number. */
  readonly revision: number;
  /**
   * The event's object when it is decoded already and deep-frozen (its
   * writer handed it over): a consumer that would decode `json` may keep
   * this one instead, shared as it is.
   */
  readonly object?: KubeObject;
}

/** A running watch: iterate it for events; `stop()` (or the signal) ends it. */
export interface Watcher extends AsyncIterable<WatchEvent> {
  /** Ends the watch. */
  stop(): void;
}

/** What {@linkcode Store.deletePrefix} removed. */
export interface DeletePrefixResult {
  /** How many objects were removed. */
  deleted: number;
  /** The backend's revision after the delete. */
  revision: number;
}

/** Numbers about one store's resource. */
export interface Stats {
  /** How many objects the resource holds (all clusters). */
  objectCount: number;
  /** Approximate bytes of stored object data, when the backend knows. */
  estimatedSizeBytes?: number;
}

/**
 * The storage interface for one resource. All keys passed in must start with
 * the store's resource prefix and pass `validateKey`.
 */
export interface Store {
  /** The resource this store serves. */
  readonly resource: ResourceRef;

  /**
   * Stores `obj` at `key`. Fails with `KeyExists` if the key exists and with
   * `InvalidObject` if `obj.metadata.resourceVersion` is set. Returns the
   * stored object with its new resourceVersion.
   */
  create(key: string, obj: KubeObject): Promise<KubeObject>;

  /** Reads one object. Fails with `NotFound` when the key does not exist. */
  get(key: string, opts?: GetOptions): Promise<KubeObject>;

  /** Lists objects under a prefix (recursive) or one key. */
  list(key: string, opts: ListOptions): Promise<ListResult>;

  /**
   * Read-modify-write with optimistic concurrency: reads the current object,
   * checks preconditions, calls `tryUpdate`, writes if the result differs;
   * retries from a fresh read when the write lost a race. Returns the stored
   * object (unchanged, same resourceVersion, for a no-op).
   */
  guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject>;

  /**
   * Deletes `key` after checking preconditions and `validateDeletion` against
   * the current object. Returns the last state, with the revision of the
   * delete as its resourceVersion. `NotFound` when missing.
   */
  delete(key: string, opts?: DeleteOptions): Promise<KubeObject>;

  /**
   * Deletes every object whose key starts with `prefix` (a prefix that ends
   * in "/", validated like keys, inside this store's resource prefix) in
   * bulk inside the backend — one transaction / one etcd DeleteRange (on
   * Spanner one transaction per 10,000 keys) — never object by object
   * through the API. Watchers see one DELETED event per removed object
   * (with its last state), as with etcd's DeleteRange (etcd and Spanner give
   * the keys of one commit its one revision; the revision logs of memory,
   * SQLite and PostgreSQL give each tombstone its own, committed together).
   * See `storage/README.md`.
   * Returns how many objects were removed and the revision after the delete
   * (the current revision when nothing matched). A malformed prefix fails
   * with `InvalidKey` and deletes nothing.
   */
  deletePrefix(prefix: string): Promise<DeletePrefixResult>;

  /** Starts a watch on a prefix (recursive) or one key. */
  watch(key: string, opts: WatchOptions): Promise<Watcher>;

  /** Asks every watch with `allowBookmarks` to get a BOOKMARK at a current revision soon. */
  requestWatchProgress(): Promise<void>;

  /**
   * `false` when the backend's own progress may overtake events of a lower
   * revision still on their way (etcd before 3.4.31 / 3.5.13: etcd#15220).
   * Its BOOKMARKs then stop at the last revision the watch read through
   * (never ahead of an undelivered event, but not current either), so a
   * watch cache does not advance on them and serves consistent reads from
   * the backend. Absent means `true`.
   */
  readonly watchProgressInOrder?: boolean;

  /** Counts objects of this resource. */
  stats(): Promise<Stats>;

  /** The backend's current revision (a consistent read). */
  currentRevision(): Promise<number>;

  /**
   * Discards history older than `revision` (for the whole backend). Reads and
   * watches at older revisions fail with `Expired` afterwards.
   */
  compact(revision: number): Promise<void>;

  /** Resolves when the backend can serve; rejects with an `Unavailable` error otherwise. */
  readiness(): Promise<void>;
}

/**
 * What a backend builds: one {@linkcode Store} per resource, sharing the
 * backend's connection and revision sequence.
 */
export interface StoreFactory {
  /** The store for `resource`; the same instance for the same resource. */
  storeFor(resource: ResourceRef): Store;
  /** Resolves when the backend can serve; rejects with an `Unavailable` error otherwise. */
  readiness(): Promise<void>;
  /** The backend's current revision. */
  currentRevision(): Promise<number>;
  /** Compacts the whole backend up to `revision`. */
  compact(revision: number): Promise<void>;
  /** Stops background work and releases connections. */
  close(): Promise<void>;
}
