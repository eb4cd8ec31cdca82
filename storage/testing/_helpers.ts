/**
 * Small tools the conformance cases share: object factories, typed-error
 * assertions, revision helpers and a watch collector that waits with bounded
 * timeouts and never leaks a timer.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  isStorageError,
  type KubeObject,
  type StorageError,
  type StorageErrorCode,
  type Store,
  type Watcher,
  type WatchEvent,
  type WatchEventType,
  type WatchOptions,
} from "../mod.ts";

/** The API group every conformance resource lives in. */
export const CONFORMANCE_GROUP = "conformance.hyperplane.dev";

/** How long a case waits for an expected watch event (ms). */
export const EVENT_TIMEOUT_MS = 10_000;

/** How long a case listens to assert that no (more) events arrive (ms). */
export const QUIET_PERIOD_MS = 300;

/** Options for {@linkcode newObject}. */
export interface NewObjectOptions {
  namespace?: string;
  labels?: Record<string, string>;
  /** Free-form payload stored under `spec`. */
  spec?: Record<string, unknown>;
  uid?: string;
}

/**
 * A fresh object with a random uid and no resourceVersion.
 *
 * @example
 * ```ts
 * const obj = newObject("foo", { namespace: "ns", labels: { a: "1" } });
 * ```
 */
export function newObject(
  name: string,
  opts: NewObjectOptions = {},
): KubeObject {
  const metadata: KubeObject["metadata"] = {
    name,
    uid: opts.uid ?? crypto.randomUUID(),
  };
  if (opts.namespace !== undefined) metadata.namespace = opts.namespace;
  if (opts.labels) metadata.labels = { ...opts.labels };
  return {
    apiVersion: `${CONFORMANCE_GROUP}/v1`,
    kind: "Widget",
    metadata,
    spec: { ...(opts.spec ?? {}) },
  };
}

/** A deep copy of `obj` with `labels` replaced. */
export function withLabels(
  obj: KubeObject,
  labels: Record<string, string>,
): KubeObject {
  const copy = structuredClone(obj);
  copy.metadata.labels = { ...labels };
  return copy;
}

/** A deep copy of `obj` with `spec` merged with `patch`. */
export function withSpec(
  obj: KubeObject,
  patch: Record<string, unknown>,
): KubeObject {
  const copy = structuredClone(obj);
  copy.spec = { ...(copy.spec as Record<string, unknown> ?? {}), ...patch };
  return copy;
}

/** A deep copy of `obj` without `metadata.resourceVersion`. */
export function withoutRV(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  delete copy.metadata.resourceVersion;
  return copy;
}

/** The object's resourceVersion as a number; fails unless it is a positive integer. */
export function rvOf(obj: KubeObject): number {
  const rv = obj.metadata?.resourceVersion;
  assert.ok(
    typeof rv === "string" && /^[0-9]+$/.test(rv) && Number(rv) > 0,
    `resourceVersion must be a positive integer string, got ${
      JSON.stringify(rv)
    }`,
  );
  return Number(rv);
}

/** Parses a list's resourceVersion; fails unless it is a positive integer. */
export function listRV(rv: string): number {
  assert.ok(
    /^[0-9]+$/.test(rv) && Number(rv) > 0,
    `list resourceVersion must be a positive integer string, got ${
      JSON.stringify(rv)
    }`,
  );
  return Number(rv);
}

/** The names of `objs`, in order. */
export function names(objs: KubeObject[]): string[] {
  return objs.map((o) => o.metadata.name ?? "");
}

/** A revision surely beyond anything the store has: well above `current`. */
export function tooLargeRevision(current: number): number {
  return Math.min(current * 2 + 1_000_000, Number.MAX_SAFE_INTEGER);
}

/**
 * Awaits `work` (a promise or a function returning one) and asserts it fails
 * with a `StorageError` of `code`. Returns the error.
 */
export async function expectStorageError(
  work: Promise<unknown> | (() => Promise<unknown>),
  code: StorageErrorCode,
  what = "the operation",
): Promise<StorageError> {
  let result: unknown;
  try {
    result = await (typeof work === "function" ? work() : work);
  } catch (err) {
    assert.ok(
      isStorageError(err),
      `${what} should fail with a StorageError ${code}, got ${String(err)}`,
    );
    assert.equal(
      err.code,
      code,
      `${what} should fail with ${code}, got ${err.code}: ${err.message}`,
    );
    return err;
  }
  assert.fail(
    `${what} should fail with ${code}, but it succeeded with ${
      JSON.stringify(result)
    }`,
  );
}

/**
 * Resolves with `promise`, or rejects when it takes longer than `ms` (for
 * operations that could deadlock). The timer is always cleared.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options for {@linkcode WatchCollector.next}. */
export interface NextOptions {
  /** Wait at most this long (ms). Default {@linkcode EVENT_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Skip BOOKMARK events (periodic bookmarks may arrive at any time). */
  skipBookmarks?: boolean;
}

/**
 * Fails when `ev` carries a text form (`WatchEvent.text`) that does not
 * describe its object exactly: the same JSON value and the same revision;
 * a decoded object it carries (`text.object`) must be exactly what the text
 * decodes to, and frozen.
 */
export function checkEventText(ev: WatchEvent): void {
  if (ev.type === "ERROR" || ev.text === undefined) return;
  const { json, revision } = ev.text;
  if (ev.text.object !== undefined) {
    assert.deepStrictEqual(
      ev.text.object,
      JSON.parse(json),
      `the decoded object of a ${ev.type} event's text differs from the text`,
    );
    assert.ok(
      Object.isFrozen(ev.text.object),
      `the decoded object of a ${ev.type} event's text is not frozen`,
    );
  }
  assert.deepEqual(
    JSON.parse(json),
    JSON.parse(JSON.stringify(ev.object)),
    `the text of a ${ev.type} event differs from its object`,
  );
  assert.equal(
    String(revision),
    ev.object.metadata?.resourceVersion,
    `the text revision of a ${ev.type} event is not its resourceVersion`,
  );
}

/**
 * Drains a {@linkcode Watcher} in the background into a queue, so a case can
 * wait for the next event with a bounded timeout, assert a quiet period, or
 * wait for the end of the watch. Always `close()` it (in `finally`).
 */
export class WatchCollector {
  readonly #watcher: Watcher;
  readonly #queue: WatchEvent[] = [];
  #waiters: Array<() => void> = [];
  /** Counts state changes, so a wait never misses one that raced with it. */
  #seq = 0;
  #ended = false;
  #failure: unknown = undefined;
  readonly #pump: Promise<void>;

  /** Starts draining `watcher`. */
  constructor(watcher: Watcher) {
    this.#watcher = watcher;
    this.#pump = this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      for await (const ev of this.#watcher) {
        checkEventText(ev);
        this.#queue.push(ev);
        this.#notify();
      }
    } catch (err) {
      this.#failure = err;
    } finally {
      this.#ended = true;
      this.#notify();
    }
  }

  #notify(): void {
    this.#seq++;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /**
   * Waits until something happens after state `seen` (see `#seq`) or `ms`
   * pass; the timer is always cleared.
   */
  #wait(ms: number, seen: number): Promise<void> {
    if (this.#seq !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer: { id?: ReturnType<typeof setTimeout> } = {};
      const waiter = () => {
        clearTimeout(timer.id);
        resolve();
      };
      // Registered before setTimeout: scheduling a timer can run pending
      // microtasks (the drain loop) in this runtime.
      this.#waiters.push(waiter);
      timer.id = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve();
      }, ms);
      if (this.#seq !== seen) waiter();
    });
  }

  /** True once the watcher's iteration has finished. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Events received and not yet taken. */
  get pending(): readonly WatchEvent[] {
    return this.#queue;
  }

  /**
   * The next event. Fails when none arrives in time, when the watch ends
   * first, or when iterating the watcher threw.
   */
  async next(opts: NextOptions = {}): Promise<WatchEvent> {
    const timeoutMs = opts.timeoutMs ?? EVENT_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.#seq;
      while (this.#queue.length > 0) {
        const ev = this.#queue.shift()!;
        if (opts.skipBookmarks && ev.type === "BOOKMARK") continue;
        return ev;
      }
      if (this.#failure !== undefined) {
        throw new Error(
          `iterating the watcher threw: ${String(this.#failure)}`,
          { cause: this.#failure },
        );
      }
      if (this.#ended) {
        assert.fail("the watch ended while an event was expected");
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        assert.fail(`no watch event arrived within ${timeoutMs} ms`);
      }
      await this.#wait(left, seen);
    }
  }

  /** The next event, asserted to be `type`; returns its object. */
  async expect(
    type: WatchEventType,
    opts: NextOptions = {},
  ): Promise<KubeObject> {
    const ev = await this.next(opts);
    assert.equal(
      ev.type,
      type,
      `expected a ${type} event, got ${describeEvent(ev)}`,
    );
    return (ev as { object: KubeObject }).object;
  }

  /** The next event, asserted to be an ERROR; returns its error. */
  async expectError(opts: NextOptions = {}): Promise<StorageError> {
    const ev = await this.next(opts);
    assert.equal(
      ev.type,
      "ERROR",
      `expected an ERROR event, got ${describeEvent(ev)}`,
    );
    return (ev as { error: StorageError }).error;
  }

  /**
   * Asserts that no event (other than BOOKMARKs when `skipBookmarks`)
   * arrives for `ms`.
   */
  async expectQuiet(
    ms = QUIET_PERIOD_MS,
    opts: { skipBookmarks?: boolean } = {},
  ): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const seen = this.#seq;
      const unexpected = this.#queue.find((ev) =>
        !(opts.skipBookmarks && ev.type === "BOOKMARK")
      );
      if (unexpected) {
        assert.fail(
          `expected no watch event, got ${describeEvent(unexpected)}`,
        );
      }
      if (this.#failure !== undefined) {
        assert.fail(`iterating the watcher threw: ${String(this.#failure)}`);
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.#ended) return;
      await this.#wait(left, seen);
    }
  }

  /** Waits until the watch ends (without stopping it); fails after `timeoutMs`. */
  async expectEnd(timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      const seen = this.#seq;
      const left = deadline - Date.now();
      if (left <= 0) {
        assert.fail(`the watch did not end within ${timeoutMs} ms`);
      }
      await this.#wait(left, seen);
    }
    if (this.#failure !== undefined) {
      assert.fail(`iterating the watcher threw: ${String(this.#failure)}`);
    }
  }

  /** Stops the watcher and waits (bounded) for its iteration to finish. */
  async close(timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    this.#watcher.stop();
    await withTimeout(this.#pump, timeoutMs, "ending the watch after stop()");
  }
}

/** A short human-readable form of a watch event for assertion messages. */
export function describeEvent(ev: WatchEvent): string {
  if (ev.type === "ERROR") {
    return `ERROR(${ev.error?.code}: ${ev.error?.message})`;
  }
  const m = ev.object?.metadata ?? {};
  return `${ev.type}(${m.namespace ? m.namespace + "/" : ""}${
    m.name ?? ""
  }@${m.resourceVersion})`;
}

/**
 * Starts a watch, hands its collector to `fn`, and always closes it.
 *
 * @example
 * ```ts
 * await withWatch(store, key, { recursive: false }, async (w) => {
 *   await w.expect("ADDED");
 * });
 * ```
 */
export async function withWatch<T>(
  store: Store,
  key: string,
  opts: WatchOptions,
  fn: (w: WatchCollector) => Promise<T>,
): Promise<T> {
  const w = new WatchCollector(await store.watch(key, opts));
  try {
    return await fn(w);
  } finally {
    await w.close();
  }
}
