import assert from "node:assert/strict";
import { WatchCache } from "./watch_cache.ts";
import { takeNotedGarbage } from "../../internal/garbage_hint.ts";

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

Deno.test("expired history is noted as garbage for the idle collection (its texts, not the kept ones)", () => {
  takeNotedGarbage();
  const cache = new WatchCache({ historySize: 100 });
  cache.replace([], 1);
  cache.apply("ADDED", "a", json("a"), 2);
  cache.apply("DELETED", "a", json("a"), 3);
  const t0 = performance.now();
  cache.expireHistory(75_000, t0 + 10_000); // nothing old yet
  assert.equal(takeNotedGarbage(), 0);
  cache.expireHistory(75_000, t0 + 80_000);
  assert.equal(takeNotedGarbage(), 2 * json("a").length);
  assert.equal(cache.eventsSince(1), undefined); // history gone
});
