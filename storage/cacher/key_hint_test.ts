import assert from "node:assert/strict";
import { objectKey } from "../keys.ts";
import type { KubeObject } from "../object.ts";
import type { Predicate } from "../store.ts";
import { cachedStoreFactory, keyFitsHint, withKeyHint } from "./mod.ts";
import { memory } from "../../tests/support/cacher_fixtures.ts";

const RES = { resource: "widgets" };
const PREFIX = "/registry/widgets/clusters/root/";

Deno.test("a key fits a hint by its last segments", () => {
  const k = "/registry/widgets/clusters/root/ns/a";
  assert.equal(keyFitsHint(k, undefined), true);
  assert.equal(keyFitsHint(k, { name: "a" }), true);
  assert.equal(keyFitsHint(k, { name: "b" }), false);
  assert.equal(keyFitsHint(k, { name: "a", namespace: "ns" }), true);
  assert.equal(keyFitsHint(k, { namespace: "other" }), false);
  assert.equal(keyFitsHint(`${k}b`, { name: "a" }), false);
});

Deno.test("the watch cache decodes only objects whose key fits the predicate's hint, with the same answers", async () => {
  const factory = cachedStoreFactory(await memory());
  try {
    const store = factory.storeFor(RES);
    for (const ns of ["ns1", "ns2"]) {
      for (const name of ["a", "b", "c"]) {
        const o: KubeObject = { metadata: { name, namespace: ns }, data: {} };
        await store.create(
          objectKey({ ...RES, cluster: "root", namespace: ns, name }),
          o,
        );
      }
    }
    // A list of the whole resource fills the cache (before that, a list of
    // one cluster goes to the backend).
    await store.list("/registry/widgets/", { recursive: true });
    let tested = 0;
    const byName = (name: string, namespace?: string): Predicate =>
      withKeyHint({
        matches: (o) => {
          tested++;
          return o.metadata.name === name &&
            (namespace === undefined || o.metadata.namespace === namespace);
        },
      }, { name, namespace });
    const listed = await store.list(PREFIX, {
      recursive: true,
      predicate: byName("b"),
    });
    assert.deepEqual(
      listed.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
      ["ns1/b", "ns2/b"],
    );
    assert.equal(tested, 2, "only the two keys ending in /b were decoded");

    tested = 0;
    const stop = new AbortController();
    const w = await store.watch(PREFIX, {
      recursive: true,
      resourceVersion: "0",
      predicate: byName("c", "ns2"),
      signal: stop.signal,
    });
    const it = w[Symbol.asyncIterator]();
    const first = await it.next();
    assert.equal(first.value.type, "ADDED");
    assert.equal(first.value.object.metadata.name, "c");
    assert.equal(first.value.object.metadata.namespace, "ns2");
    assert.equal(tested, 1);
    stop.abort();
    w.stop();
  } finally {
    await factory.close();
  }
});
