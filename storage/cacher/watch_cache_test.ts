import assert from "node:assert/strict";
import { WatchCache } from "./watch_cache.ts";

const json = (name: string) => JSON.stringify({ metadata: { name } });

Deno.test("the watch cache applies several changes of one revision (etcd's DeleteRange) once each, and nothing older", () => {
  const cache = new WatchCache({ historySize: 100 });
  cache.replace(
    ["a", "b", "c"].map((k) => ({ key: k, json: json(k), revision: 3 })),
    4,
  );
  // Right after a list at 4, another change at 4 is old news.
  assert.equal(cache.apply("DELETED", "a", json("a"), 4), false);
  for (const k of ["a", "b", "c"]) {
    assert.equal(cache.apply("DELETED", k, json(k), 5), true, k);
  }
  assert.equal(cache.size, 0);
  assert.equal(cache.revision, 5);
  assert.deepEqual(cache.eventsSince(4)?.map((e) => e.key), ["a", "b", "c"]);
  assert.deepEqual(cache.eventsSince(5), []);
  // Once a bookmark moved past it, the revision is closed.
  cache.advance(6);
  assert.equal(cache.apply("ADDED", "d", json("d"), 6), false);
  assert.equal(cache.apply("ADDED", "d", json("d"), 5), false);
  assert.equal(cache.apply("ADDED", "d", json("d"), 7), true);
});
