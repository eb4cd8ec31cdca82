import assert from "node:assert/strict";
import { Dispatcher } from "./dispatcher.ts";
import { CacheWatcher } from "./cache_watcher.ts";
import { CacheEvent } from "./watch_cache.ts";

const BASE = "/registry/configmaps/";

function watcher(d: Dispatcher, key: string, recursive: boolean) {
  const w = new CacheWatcher({
    key,
    recursive,
    allowBookmarks: false,
    bufferSize: 100,
    onDone: (w) => d.remove(w),
  });
  d.add(w);
  return w;
}

function event(key: string, revision: number): CacheEvent {
  const name = key.slice(key.lastIndexOf("/") + 1);
  return new CacheEvent(
    "ADDED",
    key,
    JSON.stringify({ metadata: { name, resourceVersion: String(revision) } }),
    revision,
  );
}

/** The names of the next `n` events `w` delivers. */
async function names(w: CacheWatcher, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await w.next();
    out.push(r.value.object.metadata.name);
  }
  return out;
}

Deno.test("dispatcher: each watcher gets the events its key or prefix covers, as prefixes of every length come and go", async () => {
  const d = new Dispatcher();
  const all = watcher(d, BASE, true);
  const clusterA = watcher(d, `${BASE}clusters/a/`, true);
  const nsA = watcher(d, `${BASE}clusters/a/ns/`, true);
  const one = watcher(d, `${BASE}clusters/a/ns/x`, false);
  // Same length as `clusters/a/`: one length counted for two prefixes.
  const clusterB = watcher(d, `${BASE}clusters/b/`, true);
  assert.deepEqual(d.size, 5);

  d.dispatch(event(`${BASE}clusters/a/ns/x`, 2));
  d.dispatch(event(`${BASE}clusters/b/ns/y`, 3));
  d.dispatch(event(`${BASE}clusters/a/other/z`, 4));
  assert.deepEqual(await names(all, 3), ["x", "y", "z"]);
  assert.deepEqual(await names(clusterA, 2), ["x", "z"]);
  assert.deepEqual(await names(nsA, 1), ["x"]);
  assert.deepEqual(await names(one, 1), ["x"]);
  assert.deepEqual(await names(clusterB, 1), ["y"]);

  // Removing one of two prefixes of a length keeps the other served.
  clusterA.stop();
  nsA.stop();
  assert.deepEqual(d.size, 3);
  d.dispatch(event(`${BASE}clusters/b/ns/w`, 5));
  d.dispatch(event(`${BASE}clusters/a/ns/x`, 6));
  assert.deepEqual(await names(clusterB, 1), ["w"]);
  assert.deepEqual(await names(all, 2), ["w", "x"]);
  assert.deepEqual(await names(one, 1), ["x"]);

  // A prefix of a length seen before, registered again, is served again.
  const again = watcher(d, `${BASE}clusters/a/ns/`, true);
  d.dispatch(event(`${BASE}clusters/a/ns/v`, 7));
  assert.deepEqual(await names(again, 1), ["v"]);
  for (const w of [all, one, clusterB, again]) w.stop();
  assert.deepEqual(d.size, 0);
});
