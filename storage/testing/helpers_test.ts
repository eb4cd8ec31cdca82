import assert from "node:assert/strict";
import {
  invalidArgument,
  notFound,
  type Watcher,
  type WatchEvent,
} from "../mod.ts";
import { caseEnv } from "./_case.ts";
import {
  CONFORMANCE_GROUP,
  expectStorageError,
  newObject,
  rvOf,
  WatchCollector,
  withTimeout,
} from "./_helpers.ts";
import { conformanceCases } from "./mod.ts";

/** A hand-driven watcher: the test pushes events and ends it. */
class ScriptedWatcher implements Watcher {
  #queue: WatchEvent[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  stopped = false;

  push(ev: WatchEvent): void {
    this.#queue.push(ev);
    this.#wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.#ended = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    for (;;) {
      if (this.#queue.length > 0) {
        yield this.#queue.shift()!;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => this.#wake = resolve);
      this.#wake = undefined;
    }
  }
}

function added(name: string, rv: number): WatchEvent {
  const object = newObject(name);
  object.metadata.resourceVersion = String(rv);
  return { type: "ADDED", object };
}

function bookmark(rv: number): WatchEvent {
  return {
    type: "BOOKMARK",
    object: { metadata: { resourceVersion: `${rv}` } },
  };
}

Deno.test("the watch collector hands out events in order", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    watcher.push(added("a", 1));
    watcher.push(added("b", 2));
    assert.equal((await w.expect("ADDED")).metadata.name, "a");
    assert.equal((await w.expect("ADDED")).metadata.name, "b");
  } finally {
    await w.close();
  }
  assert.ok(watcher.stopped, "close() stops the watcher");
});

Deno.test("the watch collector waits for an event that arrives later", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    const pending = w.expect("ADDED");
    setTimeout(() => watcher.push(added("late", 3)), 20);
    assert.equal((await pending).metadata.name, "late");
  } finally {
    await w.close();
  }
});

Deno.test("the watch collector fails when no event arrives in time", async () => {
  const w = new WatchCollector(new ScriptedWatcher());
  try {
    await assert.rejects(w.next({ timeoutMs: 30 }), /no watch event arrived/);
  } finally {
    await w.close();
  }
});

Deno.test("the watch collector fails on an unexpected event type", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    watcher.push(added("a", 1));
    await assert.rejects(w.expect("DELETED"), /expected a DELETED event/);
  } finally {
    await w.close();
  }
});

Deno.test("the watch collector can skip bookmarks", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    watcher.push(bookmark(1));
    watcher.push(added("a", 2));
    await w.expectQuiet(20, { skipBookmarks: true }).catch(() => {});
    assert.equal(
      (await w.expect("ADDED", { skipBookmarks: true })).metadata.name,
      "a",
    );
  } finally {
    await w.close();
  }
});

Deno.test("a quiet period fails when an event arrives during it", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    await w.expectQuiet(20);
    setTimeout(() => watcher.push(added("noise", 1)), 10);
    await assert.rejects(w.expectQuiet(200), /expected no watch event/);
  } finally {
    await w.close();
  }
});

Deno.test("the watch collector notices the end of a watch", async () => {
  const watcher = new ScriptedWatcher();
  const w = new WatchCollector(watcher);
  try {
    watcher.push({ type: "ERROR", error: invalidArgument("bad") });
    assert.equal((await w.expectError()).code, "InvalidArgument");
    setTimeout(() => watcher.stop(), 10);
    await w.expectEnd(1000);
    await assert.rejects(w.next({ timeoutMs: 1000 }), /the watch ended/);
  } finally {
    await w.close();
  }
});

Deno.test("a watch that never ends fails expectEnd after its timeout", async () => {
  const w = new WatchCollector(new ScriptedWatcher());
  try {
    await assert.rejects(w.expectEnd(20), /did not end/);
  } finally {
    await w.close();
  }
});

Deno.test("expectStorageError accepts only the expected code", async () => {
  const err = await expectStorageError(
    Promise.reject(notFound("/k")),
    "NotFound",
  );
  assert.equal(err.key, "/k");
  await assert.rejects(
    expectStorageError(Promise.reject(notFound("/k")), "Conflict"),
    /should fail with Conflict/,
  );
  await assert.rejects(
    expectStorageError(Promise.resolve(1), "NotFound"),
    /succeeded/,
  );
  await assert.rejects(
    expectStorageError(() => Promise.reject(new Error("plain")), "NotFound"),
    /should fail with a StorageError/,
  );
});

Deno.test("withTimeout rejects slow work and clears its timer", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000, "fast"), 7);
  let release!: () => void;
  const slow = new Promise<void>((resolve) => release = resolve);
  await assert.rejects(withTimeout(slow, 10, "slow work"), /slow work did not/);
  release();
});

Deno.test("rvOf accepts only positive integer resourceVersions", () => {
  const obj = newObject("a");
  assert.throws(() => rvOf(obj));
  obj.metadata.resourceVersion = "0";
  assert.throws(() => rvOf(obj));
  obj.metadata.resourceVersion = "12a";
  assert.throws(() => rvOf(obj));
  obj.metadata.resourceVersion = "42";
  assert.equal(rvOf(obj), 42);
});

Deno.test("every case gets its own resource and well-formed keys", () => {
  const fake = {
    storeFor: () => ({}),
  } as unknown as Parameters<typeof caseEnv>[0];
  const a = caseEnv(fake, 1);
  const b = caseEnv(fake, 1);
  assert.notEqual(a.resource.resource, b.resource.resource);
  assert.equal(a.resource.group, CONFORMANCE_GROUP);
  const r = a.resource.resource;
  const base = `/registry/${CONFORMANCE_GROUP}/${r}/clusters`;
  assert.equal(a.key("x"), `${base}/root/ns/x`);
  assert.equal(a.key("x", { cluster: "c", namespace: null }), `${base}/c/x`);
  assert.equal(a.prefix(), `${base}/root/ns/`);
  assert.equal(a.prefix({ namespace: null, cluster: "c" }), `${base}/c/`);
  assert.equal(a.prefix({ all: true }), `/registry/${CONFORMANCE_GROUP}/${r}/`);
  assert.notEqual(a.otherResource("o").resource, r);
});

Deno.test("the suite has at least 50 uniquely named cases", () => {
  assert.ok(conformanceCases.length >= 50);
  const names = new Set(conformanceCases.map((c) => c.name));
  assert.equal(names.size, conformanceCases.length);
  for (const c of conformanceCases) {
    assert.ok(c.upstream.length > 0, `${c.name} names its upstream driver`);
  }
});
