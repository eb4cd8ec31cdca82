/**
 * {@linkcode EncryptedStore}: a `Store` over a backend's store that encrypts
 * values on the way down and decrypts them on the way up. It sits *below*
 * the watch cache, so the cache holds plaintext and the backend ciphertext
 * (envelopes, see `envelope.ts`).
 *
 * What the backend can no longer see inside a value, this layer does
 * itself, with the backend's semantics and messages:
 *
 * - preconditions (UID, resourceVersion) are checked on the decrypted object
 *   inside `tryUpdate` / `validateDeletion`, which the backend runs against
 *   fresh data before writing;
 * - no-op updates: an update whose plaintext equals the current plaintext
 *   hands the backend the stored envelope unchanged (no new revision),
 *   unless the value is stale (written by another key or provider), which
 *   is rewritten with the first one, as upstream;
 * - predicates of list and watch run on the decrypted objects.
 *
 * A value that does not decrypt is logged and counted; reads return a
 * placeholder for it (the guard above the cache makes it that object's
 * error) and writes to it fail with upstream's message.
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import {
  corruptObject,
  internal,
  invalidObject,
  isStorageError,
} from "../errors.ts";
import { checkPreconditions } from "../preconditions.ts";
import { decodeObject, encodeObject, type KubeObject } from "../object.ts";
import type { ResourceRef } from "../keys.ts";
import type {
  DeleteOptions,
  DeletePrefixResult,
  GetOptions,
  GuaranteedUpdateOptions,
  ListOptions,
  ListResult,
  Predicate,
  Stats,
  Store,
  Watcher,
  WatchEvent,
  WatchOptions,
} from "../store.ts";
import { isEnvelope, placeholder, placeholderError } from "./envelope.ts";
import {
  ciphertextId,
  type ReadValue,
  type ResourceTransformer,
  TransformError,
} from "./transformer.ts";

/** upstream's error for a value that does not transform, without the storage key. */
export function transformErrorMessage(
  displayKey: string,
  reason: string,
): string {
  return `unable to transform key ${JSON.stringify(displayKey)}: ${reason}`;
}

/** `secrets/default/s1` for `/registry/secrets/clusters/root/default/s1`. */
function displayKey(resource: ResourceRef, key: string): string {
  const label = resource.group
    ? `${resource.resource}.${resource.group}`
    : resource.resource;
  const m = /\/clusters\/[^/]+\/(.*)$/.exec(key);
  return `${label}/${m ? m[1] : key}`;
}

/** The encrypting store of one resource. */
export class EncryptedStore implements Store {
  readonly resource: ResourceRef;
  readonly #delegate: Store;
  readonly #transformer: () => ResourceTransformer;
  readonly #logger: Logger;
  /**
   * Plaintext of values this store wrote lately, by their ciphertext: the
   * watch event of an own write (the one feeding the watch cache) needs no
   * decryption. Ciphertexts are unique (random nonces), entries are used
   * once, and the map is bounded.
   */
  readonly #recent = new Map<
    string,
    { key: string; value: string; json: string }
  >();

  /**
   * `transformer` returns the resource's transformers as currently
   * configured (a reload may change them between calls).
   */
  constructor(
    delegate: Store,
    transformer: () => ResourceTransformer,
    logger: Logger,
  ) {
    this.resource = delegate.resource;
    this.#delegate = delegate;
    this.#transformer = transformer;
    this.#logger = logger;
  }

  /**
   * Reads a stored object; one that does not decrypt is a corrupt object
   * (upstream's "data from the storage is not transformable" error, naming
   * its key).
   */
  #read(stored: KubeObject, key: string, t: ResourceTransformer): ReadValue {
    try {
      return t.fromStorage(stored, key);
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      this.#logger.error("failed to decrypt a stored value", {
        key,
        err: err.message,
      });
      throw corruptObject(
        key,
        Number(stored.metadata?.resourceVersion ?? 0),
        err.message,
        "untransformable",
      );
    }
  }

  /** Reads a stored object; a value that does not decrypt becomes a placeholder. */
  #readOrPlaceholder(
    stored: KubeObject,
    key: string,
    t: ResourceTransformer,
  ): KubeObject {
    try {
      return this.#read(stored, key, t).obj;
    } catch (err) {
      // The placeholder keeps the reason alone: the guard words the error.
      const why = isStorageError(err, "CorruptObject")
        ? String(err.cause)
        : (err as Error).message;
      return placeholder(key, stored.metadata?.resourceVersion, why);
    }
  }

  /** A predicate over stored objects that tests the decrypted ones. */
  #predicate(
    p: Predicate | undefined,
    t: ResourceTransformer,
    memo: WeakMap<KubeObject, KubeObject>,
    keyOf: (stored: KubeObject) => string,
  ): Predicate | undefined {
    if (!p) return undefined;
    return {
      everything: p.everything,
      matches: (stored) => {
        const plain = this.#readOrPlaceholder(stored, keyOf(stored), t);
        memo.set(stored, plain);
        // A broken value matches, so the error surfaces instead of hiding.
        return placeholderError(plain) !== undefined || p.matches(plain);
      },
    };
  }

  async create(key: string, obj: KubeObject): Promise<KubeObject> {
    const t = this.#transformer();
    if (obj.metadata?.resourceVersion || !t.encrypts) {
      if (!t.encrypts) t.recordIdentityWrite();
      return this.#delegate.create(key, obj);
    }
    const json = encodeObject(obj);
    const envelope = this.#write(t, json, key);
    this.#remember(envelope, key, json);
    const stored = await this.#delegate.create(key, envelope);
    return withRevision(JSON.parse(json), stored);
  }

  #remember(stored: KubeObject, key: string, json: string): void {
    if (!isEnvelope(stored)) return;
    this.#recent.set(ciphertextId(stored), { key, value: stored.value, json });
    if (this.#recent.size > RECENT_WRITES) {
      this.#recent.delete(this.#recent.keys().next().value!);
    }
  }

  /** The plaintext of an own recent write, once; `undefined` otherwise. */
  #recall(stored: KubeObject, key: string): KubeObject | undefined {
    if (!isEnvelope(stored)) return undefined;
    const id = ciphertextId(stored);
    const own = this.#recent.get(id);
    if (own === undefined || own.key !== key || own.value !== stored.value) {
      return undefined;
    }
    this.#recent.delete(id);
    return decodeObject(
      own.json,
      Number(stored.metadata.resourceVersion ?? 0),
    );
  }

  #write(t: ResourceTransformer, json: string, key: string): KubeObject {
    try {
      return t.toStorage(json, key);
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      throw internal(
        transformErrorMessage(displayKey(this.resource, key), err.message),
        err,
      );
    }
  }

  /**
   * The cache's copy of the current object as the backend would hold it,
   * so the backend can try it first and save a read (it re-reads when the
   * copy was stale). A placeholder is no copy.
   */
  #cachedStored(
    cachedExisting: KubeObject | undefined,
    t: ResourceTransformer,
    key: string,
  ): { stored: KubeObject; plain: KubeObject } | undefined {
    if (!cachedExisting || placeholderError(cachedExisting) !== undefined) {
      return undefined;
    }
    const stored = this.#write(t, encodeObject(cachedExisting), key);
    stored.metadata = {
      ...stored.metadata,
      resourceVersion: cachedExisting.metadata?.resourceVersion,
    };
    return { stored, plain: cachedExisting };
  }

  async get(key: string, opts?: GetOptions): Promise<KubeObject> {
    const t = this.#transformer();
    return this.#readOrPlaceholder(await this.#delegate.get(key, opts), key, t);
  }

  async list(key: string, opts: ListOptions): Promise<ListResult> {
    const t = this.#transformer();
    const memo = new WeakMap<KubeObject, KubeObject>();
    // Items carry no key; a list reads under `key`, and a stored object's
    // name is inside its ciphertext, so the key used for decryption of a
    // list item is recovered from the plaintext below.
    const res = await this.#delegate.list(key, {
      ...opts,
      predicate: this.#predicate(
        opts.predicate,
        t,
        memo,
        (s) => listItemKey(key, opts.recursive, s),
      ),
    });
    return {
      ...res,
      items: res.items.map((s) =>
        memo.get(s) ??
          this.#readOrPlaceholder(s, listItemKey(key, opts.recursive, s), t)
      ),
    };
  }

  async guaranteedUpdate(
    key: string,
    opts: GuaranteedUpdateOptions,
  ): Promise<KubeObject> {
    const t = this.#transformer();
    const cached = this.#cachedStored(opts.cachedExisting, t, key);
    let written: { stored: KubeObject; json: string } | undefined;
    const result = await this.#delegate.guaranteedUpdate(key, {
      ignoreNotFound: opts.ignoreNotFound,
      cachedExisting: cached?.stored,
      tryUpdate: async (current) => {
        let read: ReadValue | null = null;
        if (current !== null) {
          read = cached && sameStored(current, cached.stored)
            ? { obj: structuredClone(cached.plain), stale: false }
            : this.#read(current, key, t);
        }
        checkPreconditions(key, read?.obj ?? null, opts.preconditions);
        const currentJson = read ? encodeObject(read.obj) : undefined;
        const next = await opts.tryUpdate(read?.obj ?? null);
        const json = encodeObject(next);
        if (read && !read.stale && json === currentJson) return current!;
        if (!t.encrypts) {
          t.recordIdentityWrite();
          return next;
        }
        const stored = this.#write(t, json, key);
        this.#remember(stored, key, json);
        written = { stored, json };
        return stored;
      },
    });
    if (written && sameStored(result, written.stored)) {
      return withRevision(JSON.parse(written.json), result);
    }
    return this.#read(result, key, t).obj;
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const t = this.#transformer();
    if (opts.expectCorrupt) return await this.#corruptDelete(key, t);
    let last: { stored: KubeObject; plain: KubeObject } | undefined;
    const cached = this.#cachedStored(opts.cachedExisting, t, key);
    const result = await this.#delegate.delete(key, {
      cachedExisting: cached?.stored,
      validateDeletion: async (current) => {
        const plain = cached && sameStored(current, cached.stored)
          ? structuredClone(cached.plain)
          : this.#read(current, key, t).obj;
        checkPreconditions(key, plain, opts.preconditions);
        await opts.validateDeletion?.(structuredClone(plain));
        last = { stored: current, plain };
      },
    });
    if (last && sameStored(result, last.stored)) {
      return withRevision(last.plain, result);
    }
    return this.#read(result, key, t).obj;
  }

  /**
   * The unsafe delete (`expectCorrupt`): a value the backend cannot read
   * goes the backend's way; one that does not decrypt is deleted at the
   * revision found undecryptable (no other check: nothing of it can be
   * read); one that decrypts is refused as the backend refuses a readable
   * value.
   */
  async #corruptDelete(
    key: string,
    t: ResourceTransformer,
  ): Promise<KubeObject> {
    let stored: KubeObject;
    try {
      stored = await this.#delegate.get(key);
    } catch (err) {
      if (!isStorageError(err, "CorruptObject")) throw err;
      return await this.#delegate.delete(key, { expectCorrupt: true });
    }
    try {
      t.fromStorage(stored, key);
    } catch (err) {
      if (!(err instanceof TransformError)) throw err;
      const rv = stored.metadata.resourceVersion;
      const out = await this.#delegate.delete(key, {
        preconditions: { resourceVersion: rv },
      });
      const gone = placeholder(key, out.metadata.resourceVersion, "");
      return { metadata: gone.metadata };
    }
    throw invalidObject(
      key,
      "unsafe deletion is not allowed because the object is decodable from storage",
    );
  }

  /** Passed through: removing ciphertexts needs no key. */
  deletePrefix(prefix: string): Promise<DeletePrefixResult> {
    return this.#delegate.deletePrefix(prefix);
  }

  async watch(key: string, opts: WatchOptions): Promise<Watcher> {
    const t = this.#transformer();
    const memo = new WeakMap<KubeObject, KubeObject>();
    const inner = await this.#delegate.watch(key, {
      ...opts,
      predicate: this.#predicate(
        opts.predicate,
        t,
        memo,
        (s) => listItemKey(key, opts.recursive, s),
      ),
    });
    const read = (ev: WatchEvent): WatchEvent => {
      if (ev.type === "ERROR" || ev.type === "BOOKMARK") return ev;
      const k = ev.key ?? listItemKey(key, opts.recursive, ev.object);
      const object = memo.get(ev.object) ?? this.#recall(ev.object, k) ??
        this.#readOrPlaceholder(ev.object, k, t);
      return { ...ev, object: withRevision(object, ev.object) };
    };
    return {
      stop: () => inner.stop(),
      async *[Symbol.asyncIterator]() {
        for await (const ev of inner) yield read(ev);
      },
    };
  }

  /** The delegate's. */
  get watchProgressInOrder(): boolean | undefined {
    return this.#delegate.watchProgressInOrder;
  }

  requestWatchProgress(): Promise<void> {
    return this.#delegate.requestWatchProgress();
  }

  stats(): Promise<Stats> {
    return this.#delegate.stats();
  }

  currentRevision(): Promise<number> {
    return this.#delegate.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.#delegate.compact(revision);
  }

  readiness(): Promise<void> {
    return this.#delegate.readiness();
  }
}

/** How many own writes {@linkcode EncryptedStore} remembers for its watch. */
const RECENT_WRITES = 4096;

/** `obj` with the resourceVersion of `stored` (in place when it differs). */
function withRevision(obj: KubeObject, stored: KubeObject): KubeObject {
  const rv = stored.metadata?.resourceVersion;
  if (obj.metadata?.resourceVersion === rv) return obj;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}

/** True when two stored forms are the same value (ciphertexts are unique). */
function sameStored(a: KubeObject, b: KubeObject): boolean {
  if (isEnvelope(a) && isEnvelope(b)) return a.value === b.value;
  if (isEnvelope(a) || isEnvelope(b)) return false;
  return encodeObject(a) === encodeObject(b);
}

/**
 * The storage key of a listed or watched object, for decryption: events
 * carry theirs; a list item's is the list's key when the list names one
 * key, otherwise the key its envelope was written under (the value is
 * authenticated with it, and it must lie below the listed prefix).
 */
function listItemKey(
  key: string,
  recursive: boolean,
  stored: KubeObject,
): string {
  if (!recursive || !isEnvelope(stored)) return key;
  return stored.key.startsWith(key) ? stored.key : key;
}
