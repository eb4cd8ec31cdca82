import assert from "node:assert/strict";
import {
  CacheFill,
  decodeFrozen,
  entryObject,
  WatchCache,
} from "./watch_cache.ts";
import { takeNotedGarbage } from "../../internal/garbage_hint.ts";
import { isDeepFrozen } from "../../internal/json.ts";

const json = (name: string) => JSON.stringify({ metadata: { name } });

/** A fill of `entries`, as the reflector builds one. */
function fillOf(
  entries: { key: string; json: string; revision: number }[],
): CacheFill {
  const fill = new CacheFill();
  for (const e of entries) fill.add(e.key, e.json, e.revision);
  return fill;
}

Deno.test("the watch cache applies several changes of one revision (etcd's DeleteRange) once each, and nothing older", () => {
  const cache = new WatchCache({ historySize: 100 });
  cache.replace(
    fillOf(
      ["a", "b", "c"].map((k) => ({ key: k, json: json(k), revision: 3 })),
    ),
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
  cache.replace(new CacheFill(), 1);
  cache.apply("ADDED", "a", json("a"), 2);
  cache.apply("MODIFIED", "a", json("a2"), 3); // the first text is garbage
  cache.apply("DELETED", "a", json("a2"), 4);
  const t0 = performance.now();
  cache.expireHistory(75_000, t0 + 10_000); // nothing old yet
  assert.equal(takeNotedGarbage(), 0);
  cache.expireHistory(75_000, t0 + 80_000);
  assert.equal(
    takeNotedGarbage(),
    json("a").length + (json("a2").length + json("a").length) +
      json("a2").length,
  );
  assert.equal(cache.eventsSince(1), undefined); // history gone
});

Deno.test("texts kept as shared templates read back exactly: entries, history, previous states, a re-list", () => {
  const obj = (name: string, uid: string, rv: number, data = "d") =>
    JSON.stringify({
      metadata: {
        name,
        uid,
        resourceVersion: String(rv),
        creationTimestamp: "2026-12-07T04:03:45Z",
      },
      data,
    });
  const cache = new WatchCache({ historySize: 100 });
  cache.replace(
    fillOf([{ key: "/c/a/x", json: obj("x", "u-a", 1), revision: 1 }]),
    1,
  );
  // Same shape in other "clusters": shared from the second sighting on.
  const added = ["b", "c", "d"].map((c, i) => obj("x", `u-${c}`, 2 + i));
  added.forEach((t, i) =>
    assert.ok(cache.apply("ADDED", `/c/${"bcd"[i]}/x`, t, 2 + i))
  );
  const modified = obj("x", "u-c", 5, "changed");
  assert.ok(cache.apply("MODIFIED", "/c/c/x", modified, 5));
  const deleted = obj("x", "u-d", 6);
  assert.ok(cache.apply("DELETED", "/c/d/x", deleted, 6));

  assert.equal(cache.get("/c/a/x")?.json, obj("x", "u-a", 1));
  assert.equal(cache.get("/c/b/x")?.json, added[0]);
  assert.equal(cache.get("/c/c/x")?.json, modified);
  assert.equal(cache.get("/c/d/x"), undefined);
  assert.deepEqual(
    [...cache.scan("/c/", "")].map((e) => e.json),
    [obj("x", "u-a", 1), added[0], modified],
  );
  const events = cache.eventsSince(1)!;
  assert.deepEqual(events.map((e) => e.json), [...added, modified, deleted]);
  const mod = events[3];
  assert.equal(mod.prevJson, added[1]);
  assert.deepEqual(mod.prevObject, JSON.parse(added[1]));
  assert.deepEqual(mod.object, JSON.parse(modified));
  assert.equal(events[4].prevJson, undefined);

  // A re-list replaces every text; the old ones read back still.
  const again = obj("x", "u-a", 7, "relisted");
  cache.replace(fillOf([{ key: "/c/a/x", json: again, revision: 7 }]), 7);
  assert.equal(cache.get("/c/a/x")?.json, again);
  assert.equal(mod.prevJson, added[1]);
  assert.equal(cache.sharedTexts, 0);
});

Deno.test("a fill shares its texts through its templates as they arrive (a shape's first sighting kept whole), and they read back exactly", () => {
  const obj = (name: string, uid: string, rv: number) =>
    JSON.stringify({ metadata: { name, uid, resourceVersion: String(rv) } });
  const cache = new WatchCache({ historySize: 100 });
  const keys = Array.from({ length: 200 }, (_, i) => `/c/${i}/x`);
  const fill = fillOf(
    keys.map((key, i) => ({ key, json: obj("x", `u-${i}`, 1), revision: 1 })),
  );
  assert.equal(fill.shared, keys.length - 1);
  cache.replace(fill, 1);
  const templateOf = (key: string) =>
    (cache.get(key) as { template?: unknown } | undefined)?.template;
  assert.deepEqual(keys.filter((k) => templateOf(k) === undefined), [keys[0]]);
  assert.equal(new Set(keys.slice(1).map(templateOf)).size, 1);
  assert.equal(cache.sharedTexts, keys.length - 1);
  keys.forEach((k, i) =>
    assert.equal(cache.get(k)?.json, obj("x", `u-${i}`, 1))
  );
  assert.deepEqual(
    entryObject(cache.get(keys[5])!),
    JSON.parse(obj("x", "u-5", 1)),
  );
  // Changes after the fill share the fill's templates; a removed entry gives
  // its template back.
  const changed = obj("x", "u-changed", 2);
  cache.apply("MODIFIED", keys[7], changed, 2);
  assert.equal(templateOf(keys[7]), templateOf(keys[8]));
  assert.equal(cache.get(keys[7])?.json, changed);
  cache.apply("DELETED", keys[9], obj("x", "u-9", 1), 3);
  assert.equal(cache.sharedTexts, keys.length - 2);
  // A re-fill brings its own templates; the old entries go with theirs.
  cache.replace(
    fillOf([{ key: keys[0], json: obj("x", "u-0", 4), revision: 4 }]),
    4,
  );
  assert.equal(cache.sharedTexts, 0);
  assert.equal(cache.get(keys[0])?.json, obj("x", "u-0", 4));
});

Deno.test("decodeFrozen: the JSON's value exactly (a __proto__ key stays a plain field), frozen all the way down", () => {
  const json =
    '{"__proto__":{"x":1},"metadata":{"name":"a","labels":{"k":"v"}},"n":-0,"list":[{"a":[1,"é\\u2028"]}],"nil":null}';
  const obj = decodeFrozen(json);
  assert.deepEqual(obj, JSON.parse(json));
  assert.equal(JSON.stringify(obj), JSON.stringify(JSON.parse(json)));
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.ok(Object.hasOwn(obj, "__proto__"));
  assert.ok(Object.is((obj as unknown as { n: number }).n, -0));
  assert.ok(isDeepFrozen(obj));
});
