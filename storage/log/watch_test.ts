import assert from "node:assert/strict";
import { MemoryLog } from "../../backends/memory/memory_log.ts";
import { isStorageError, StorageError } from "../errors.ts";
import { INITIAL_EVENTS_END_ANNOTATION, type Predicate } from "../store.ts";
import type { Log, LogEvent } from "./log.ts";
import { LogStoreFactory } from "./log_store_factory.ts";
import {
  describe,
  obj,
  openEnv,
  take,
} from "../../tests/support/log_store_env.ts";

const tierX: Predicate = { matches: (o) => o.metadata.labels?.tier === "x" };

Deno.test("a watch from 0 sends the current state as ADDED, then every change", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a")); // 2
    await env.store.create(env.key("b", "other"), obj("b")); // 3
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: "0",
    });
    await env.store.create(env.key("c"), obj("c")); // 4
    await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (cur) => ({ ...cur!, spec: { n: 1 } }),
    }); // 5
    await env.store.delete(env.key("c")); // 6
    const it = w[Symbol.asyncIterator]();
    assert.deepEqual((await take(it, 4)).map(describe), [
      "ADDED:a@2",
      "ADDED:c@4",
      "MODIFIED:a@5",
      "DELETED:c@6",
    ]);
    w.stop();
    assert.equal((await it.next()).done, true);
  } finally {
    await env.close();
  }
});

Deno.test("a watch from N replays history after N then continues live, without duplicates", async () => {
  const env = openEnv();
  try {
    const a = await env.store.create(env.key("a"), obj("a")); // 2
    await env.store.create(env.key("b"), obj("b")); // 3
    await env.store.delete(env.key("a")); // 4
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: a.metadata.resourceVersion,
    });
    await env.store.create(env.key("c"), obj("c")); // 5
    const it = w[Symbol.asyncIterator]();
    assert.deepEqual((await take(it, 3)).map(describe), [
      "ADDED:b@3",
      "DELETED:a@4",
      "ADDED:c@5",
    ]);
    await env.store.create(env.key("d"), obj("d")); // 6
    assert.deepEqual((await take(it, 1)).map(describe), ["ADDED:d@6"]);
    w.stop();
  } finally {
    await env.close();
  }
});

Deno.test("a watch from a compacted revision ends with one Expired ERROR", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a")); // 2
    await env.store.create(env.key("b"), obj("b")); // 3
    await env.factory.compact(3);
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: "2",
    });
    const events = [];
    for await (const ev of w) events.push(ev);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, "ERROR");
    assert.ok(
      events[0].type === "ERROR" && isStorageError(events[0].error, "Expired"),
    );
  } finally {
    await env.close();
  }
});

Deno.test("a watch from a future revision waits for it", async () => {
  const env = openEnv();
  try {
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: "3",
    });
    await env.store.create(env.key("a"), obj("a")); // 2
    await env.store.create(env.key("b"), obj("b")); // 3
    await env.store.create(env.key("c"), obj("c")); // 4
    assert.deepEqual(
      (await take(w[Symbol.asyncIterator](), 1)).map(describe),
      ["ADDED:c@4"],
    );
    w.stop();
  } finally {
    await env.close();
  }
});

Deno.test("predicate transitions arrive as ADDED and DELETED", async () => {
  const env = openEnv();
  try {
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: await env.store.currentRevision().then(String),
      predicate: tierX,
    });
    const label = (tier: string) => ({
      tryUpdate: (cur: ReturnType<typeof obj> | null) => ({
        ...cur!,
        metadata: { ...cur!.metadata, labels: { tier } },
      }),
    });
    await env.store.create(env.key("a"), obj("a", { labels: { tier: "y" } })); // 2
    await env.store.guaranteedUpdate(env.key("a"), label("x")); // 3: starts matching
    await env.store.guaranteedUpdate(env.key("a"), {
      tryUpdate: (cur) => ({ ...cur!, spec: { n: 1 } }),
    }); // 4
    await env.store.guaranteedUpdate(env.key("a"), label("y")); // 5: stops matching
    await env.store.delete(env.key("a")); // 6: not matching, nothing
    await env.store.create(env.key("b"), obj("b", { labels: { tier: "x" } })); // 7
    const events = await take(w[Symbol.asyncIterator](), 4);
    assert.deepEqual(events.map(describe), [
      "ADDED:a@3",
      "MODIFIED:a@4",
      "DELETED:a@5",
      "ADDED:b@7",
    ]);
    const deleted = events[2];
    assert.ok(deleted.type === "DELETED");
    assert.deepEqual(
      deleted.object.metadata.labels,
      { tier: "x" },
      "as upstream, the DELETED carries the last matching state",
    );
    w.stop();
  } finally {
    await env.close();
  }
});

Deno.test("a non-recursive watch sees only its key", async () => {
  const env = openEnv();
  try {
    const w = await env.store.watch(env.key("a"), {
      recursive: false,
      resourceVersion: "0",
    });
    await env.store.create(env.key("ab"), obj("ab"));
    await env.store.create(env.key("a"), obj("a"));
    assert.deepEqual(
      (await take(w[Symbol.asyncIterator](), 1)).map(describe),
      ["ADDED:a@3"],
    );
    w.stop();
  } finally {
    await env.close();
  }
});

Deno.test("sendInitialEvents decides about the initial state and ends it with a bookmark", async (t) => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a")); // 2
    await t.step("false from 0 starts at the current revision", async () => {
      const w = await env.store.watch(env.nsPrefix(), {
        recursive: true,
        sendInitialEvents: false,
      });
      await env.store.create(env.key("b"), obj("b")); // 3
      assert.deepEqual(
        (await take(w[Symbol.asyncIterator](), 1)).map(describe),
        ["ADDED:b@3"],
      );
      w.stop();
    });
    await t.step(
      "true with bookmarks ends with the annotated bookmark",
      async () => {
        const w = await env.store.watch(env.nsPrefix(), {
          recursive: true,
          resourceVersion: "2",
          sendInitialEvents: true,
          allowBookmarks: true,
        });
        const events = await take(w[Symbol.asyncIterator](), 3);
        assert.deepEqual(events.map(describe), [
          "ADDED:a@2",
          "ADDED:b@3",
          "BOOKMARK:@3",
        ]);
        assert.ok(events[2].type === "BOOKMARK");
        assert.deepEqual(events[2].object.metadata.annotations, {
          [INITIAL_EVENTS_END_ANNOTATION]: "true",
        });
        w.stop();
      },
    );
  } finally {
    await env.close();
  }
});

Deno.test("requestWatchProgress sends a bookmark at the current revision to bookmark watchers", async () => {
  const env = openEnv();
  try {
    await env.store.create(env.key("a"), obj("a")); // 2
    const w = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      resourceVersion: "2",
      allowBookmarks: true,
    });
    const other = env.factory.storeFor({ resource: "configmaps" });
    await other.create("/registry/configmaps/clusters/root/ns/x", obj("x")); // 3
    await other.requestWatchProgress();
    assert.deepEqual(
      (await take(w[Symbol.asyncIterator](), 1)).map(describe),
      ["BOOKMARK:@3"],
    );
    w.stop();
  } finally {
    await env.close();
  }
});

Deno.test("bookmark watchers get periodic bookmarks and the timer stops with them", async () => {
  const env = openEnv({ bookmarkIntervalMs: 10 });
  const w = await env.store.watch(env.nsPrefix(), {
    recursive: true,
    sendInitialEvents: false,
    allowBookmarks: true,
  });
  const [ev] = await take(w[Symbol.asyncIterator](), 1);
  assert.equal(describe(ev), "BOOKMARK:@1");
  w.stop();
  // No factory close: the sanitizer proves stopping released the timer.
});

Deno.test("a slow watcher is ended with an Expired ERROR without holding up others", async () => {
  const env = openEnv({ watchBufferSize: 3 });
  try {
    const slow = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      sendInitialEvents: false,
    });
    const fast = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      sendInitialEvents: false,
    });
    const fastIt = fast[Symbol.asyncIterator]();
    const seen: string[] = [];
    for (const n of ["a", "b", "c", "d", "e"]) {
      await env.store.create(env.key(n), obj(n));
      seen.push(...(await take(fastIt, 1)).map(describe));
    }
    assert.deepEqual(seen, [
      "ADDED:a@2",
      "ADDED:b@3",
      "ADDED:c@4",
      "ADDED:d@5",
      "ADDED:e@6",
    ]);
    const events = [];
    for await (const ev of slow) events.push(ev);
    assert.equal(events.length, 1);
    assert.ok(events[0].type === "ERROR" && events[0].error.code === "Expired");
    fast.stop();
  } finally {
    await env.close();
  }
});

Deno.test("stop and abort end a waiting iteration promptly", async () => {
  const env = openEnv();
  try {
    const w = await env.store.watch(env.nsPrefix(), { recursive: true });
    const it = w[Symbol.asyncIterator]();
    const pending = it.next();
    w.stop();
    assert.equal((await pending).done, true);

    const ac = new AbortController();
    const w2 = await env.store.watch(env.nsPrefix(), {
      recursive: true,
      signal: ac.signal,
    });
    const it2 = w2[Symbol.asyncIterator]();
    const pending2 = it2.next();
    ac.abort();
    assert.equal((await pending2).done, true);
  } finally {
    await env.close();
  }
});

Deno.test("closing the factory ends its watches", async () => {
  const env = openEnv();
  const w = await env.store.watch(env.nsPrefix(), { recursive: true });
  const pending = w[Symbol.asyncIterator]().next();
  await env.close();
  assert.equal((await pending).done, true);
});

/**
 * A memory log whose subscription delivers only on `flush()`, and then
 * every change since the log was made (like a polling database log that is
 * late and re-delivers what it saw before a listener joined).
 */
class LateLog extends MemoryLog {
  subscriptions = 0;
  #listeners = new Set<(events: LogEvent[]) => void>();
  #all: LogEvent[] = [];
  #delivered = 0;

  constructor() {
    super();
    super.subscribe((evs) => this.#all.push(...evs));
  }

  override subscribe(listener: (events: LogEvent[]) => void): () => void {
    this.subscriptions++;
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  flush(): void {
    const batch = this.#all.slice(this.#delivered);
    this.#delivered = this.#all.length;
    for (const l of this.#listeners) l(batch);
  }
}

Deno.test("late or repeated deliveries from the log cause neither gaps nor duplicates", async () => {
  const log = new LateLog();
  const factory = new LogStoreFactory(log as Log);
  try {
    const store = factory.storeFor({ resource: "things" });
    const key = (n: string) => `/registry/things/clusters/root/ns/${n}`;
    await store.create(key("a"), obj("a")); // 2, not yet delivered
    const fromZero = await store.watch("/registry/things/", {
      recursive: true,
      resourceVersion: "0",
    });
    const fromOne = await store.watch("/registry/things/", {
      recursive: true,
      resourceVersion: "1",
    });
    await store.create(key("b"), obj("b")); // 3
    log.flush();
    await store.create(key("c"), obj("c")); // 4
    log.flush();
    for (const w of [fromZero, fromOne]) {
      assert.deepEqual(
        (await take(w[Symbol.asyncIterator](), 3)).map(describe),
        [
          "ADDED:a@2",
          "ADDED:b@3",
          "ADDED:c@4",
        ],
      );
    }
    await store.create(key("d"), obj("d")); // 5
    log.flush();
    assert.deepEqual(
      (await take(fromOne[Symbol.asyncIterator](), 1)).map(describe),
      ["ADDED:d@5"],
    );
    assert.equal(
      log.subscriptions,
      1,
      "one subscription for the whole factory",
    );
    fromZero.stop();
    fromOne.stop();
  } finally {
    await factory.close();
  }
});

Deno.test("a log that loses track of changes ends every watch with Expired", async () => {
  let raise: ((err: StorageError) => void) | undefined;
  class LossyLog extends MemoryLog {
    override subscribe(
      listener: (events: LogEvent[]) => void,
      onError?: (err: StorageError) => void,
    ): () => void {
      raise = onError;
      return super.subscribe(listener);
    }
  }
  const factory = new LogStoreFactory(new LossyLog());
  try {
    const store = factory.storeFor({ resource: "configmaps" });
    const w = await store.watch("/registry/configmaps/", {
      recursive: true,
      resourceVersion: "0",
    });
    const it = w[Symbol.asyncIterator]();
    assert.ok(raise, "the hub passes an error callback to subscribe");
    raise(new StorageError("Expired", "change log purged past the tail"));
    const ev = await it.next();
    assert.equal(ev.value?.type, "ERROR");
    assert.ok(
      ev.value?.type === "ERROR" && isStorageError(ev.value.error, "Expired"),
    );
    assert.equal((await it.next()).done, true);
  } finally {
    await factory.close();
  }
});

/** A log that reports a fixed history and delivers whatever a test emits. */
class GroupLog extends MemoryLog {
  history: LogEvent[] = [];
  current = 1;
  #listeners = new Set<(events: LogEvent[]) => void>();

  override subscribe(listener: (events: LogEvent[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  override currentRevision(): Promise<number> {
    return Promise.resolve(this.current);
  }

  override changes(prefix: string, after: number): Promise<LogEvent[]> {
    return Promise.resolve(
      this.history.filter((e) =>
        e.revision > after && e.key.startsWith(prefix)
      ),
    );
  }

  emit(events: LogEvent[]): void {
    for (const l of this.#listeners) l(events);
  }
}

Deno.test("several changes at one revision (a bulk delete) reach a watch once each, from history and live", async () => {
  const log = new GroupLog();
  const factory = new LogStoreFactory(log as Log);
  try {
    const store = factory.storeFor({ resource: "things" });
    const key = (n: string) => `/registry/things/clusters/root/ns/${n}`;
    const group: LogEvent[] = ["a", "b", "c"].map((n) => ({
      type: "delete",
      key: key(n),
      revision: 10,
      value: JSON.stringify(obj(n)),
      prevValue: JSON.stringify(obj(n)),
      prevRevision: 5,
    }));
    log.history = group;
    log.current = 10;
    const fromNine = await store.watch("/registry/things/", {
      recursive: true,
      resourceVersion: "9",
    });
    const fromTen = await store.watch("/registry/things/", {
      recursive: true,
      resourceVersion: "10",
    });
    // The group also arrives live after the watches registered (a tailing
    // log may deliver it late), then a later change.
    log.emit(group);
    log.emit([{
      type: "create",
      key: key("d"),
      revision: 11,
      value: JSON.stringify(obj("d")),
    }]);
    assert.deepEqual(
      (await take(fromNine[Symbol.asyncIterator](), 4)).map(describe),
      ["DELETED:a@10", "DELETED:b@10", "DELETED:c@10", "ADDED:d@11"],
    );
    assert.deepEqual(
      (await take(fromTen[Symbol.asyncIterator](), 1)).map(describe),
      ["ADDED:d@11"],
      "a watch from the group's revision has seen it",
    );
    fromNine.stop();
    fromTen.stop();
  } finally {
    await factory.close();
  }
});
