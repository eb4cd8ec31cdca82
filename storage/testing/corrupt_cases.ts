/**
 * Conformance cases for corrupt stored objects (KEP-3926, upstream's
 * `AllowUnsafeMalformedObjectDeletion`): a value that is not a JSON object
 * is a `CorruptObject` error naming its key, lists fail naming every
 * corrupt key they meet (never skipping one), and only the unsafe delete
 * (`expectCorrupt`) removes such a value. The values are stored below the
 * store with the backend wiring's `writeRaw` (no store call can write one).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  CorruptObjectsError,
  type KubeObject,
  type StorageError,
} from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  expectStorageError,
  names,
  newObject,
  rvOf,
  withWatch,
} from "./_helpers.ts";

/** Matches objects labelled `team=x`. */
const TEAM_X = {
  matches: (o: KubeObject) => o.metadata.labels?.team === "x",
};

/** Asserts `err` is a `CorruptObject` error naming `key` in its message. */
function assertNamesKey(err: StorageError, key: string): void {
  assert.equal(err.code, "CorruptObject", `${err.code}: ${err.message}`);
  assert.equal(err.key, key, err.message);
  assert.ok(
    err.message.includes(`corrupt object, Code: 7, Key: ${key},`),
    `the error should name ${key}: ${err.message}`,
  );
}

/** Runs `list` and returns the keys its `CorruptObjectsError` names. */
async function corruptKeysOf(
  list: Promise<unknown>,
  what: string,
): Promise<string[]> {
  const err = await expectStorageError(list, "CorruptObject", what);
  assert.ok(
    err instanceof CorruptObjectsError,
    `${what} should fail with a CorruptObjectsError, got ${err.name}: ${err.message}`,
  );
  assert.equal(err.truncated, false);
  for (const e of err.errors) assertNamesKey(e, e.key!);
  return err.errors.map((e) => e.key!);
}

/** Cases about corrupt stored values. */
export const corruptCases = casesOf("corrupt objects", [
  {
    name:
      "a corrupt value fails get, update and a plain delete naming its key; other objects stay readable",
    upstream: "(KEP-3926) corrupt object: get, update, delete",
    async run({ store, key, writeRaw }) {
      const good = await store.create(key("good"), newObject("good"));
      await writeRaw(key("bad"), '{"kind":"Widget",garbage');
      await writeRaw(key("arr"), "[1,2]");
      for (const name of ["bad", "arr"]) {
        assertNamesKey(
          await expectStorageError(
            store.get(key(name)),
            "CorruptObject",
            `get ${name}`,
          ),
          key(name),
        );
        assertNamesKey(
          await expectStorageError(
            store.guaranteedUpdate(key(name), {
              tryUpdate: () => assert.fail("tryUpdate called"),
            }),
            "CorruptObject",
            `update ${name}`,
          ),
          key(name),
        );
        assertNamesKey(
          await expectStorageError(
            store.delete(key(name)),
            "CorruptObject",
            `plain delete ${name}`,
          ),
          key(name),
        );
      }
      assert.deepEqual(await store.get(key("good")), good);
      // Nothing was deleted: the value is still corrupt.
      await expectStorageError(store.get(key("bad")), "CorruptObject");
    },
  },
  {
    name:
      "a list fails naming every corrupt key it meets, whatever its selector or limit, and never skips one",
    upstream: "(KEP-3926) corrupt objects in a list (aggregated error)",
    async run({ store, key, prefix, writeRaw }) {
      await store.create(key("a"), newObject("a", { labels: { team: "x" } }));
      await writeRaw(key("b"), '{"metadata":{"name":"b"}');
      await store.create(key("c"), newObject("c"));
      await writeRaw(key("d"), "null");
      await store.create(key("e"), newObject("e", { labels: { team: "x" } }));
      const both = [key("b"), key("d")];
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix(), { recursive: true }),
          "a list",
        ),
        both,
      );
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix({ all: true }), { recursive: true }),
          "a resource-wide list",
        ),
        both,
      );
      // A selector cannot tell that a corrupt object does not match.
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix(), { recursive: true, predicate: TEAM_X }),
          "a list with a label selector",
        ),
        both,
      );
      // A corrupt value does not count against the limit: a page of 2 (a, c)
      // reads past b, so it fails naming b.
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix(), { recursive: true, limit: 2 }),
          "a list with limit 2",
        ),
        [key("b")],
      );
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix(), {
            recursive: true,
            limit: 2,
            predicate: TEAM_X,
          }),
          "a list with limit 2 and a selector (a, e)",
        ),
        [key("b"), key("d")],
      );
      assert.deepEqual(
        await corruptKeysOf(
          store.list(key("d"), { recursive: false }),
          "a list of the one corrupt key",
        ),
        [key("d")],
      );
      // A page that ends before any corrupt key is served; the next page
      // meets it and fails.
      const first = await store.list(prefix(), { recursive: true, limit: 1 });
      assert.deepEqual(names(first.items), ["a"]);
      assert.ok(first.continue, "the first page should have a continue token");
      assert.deepEqual(
        await corruptKeysOf(
          store.list(prefix(), {
            recursive: true,
            limit: 1,
            continue: first.continue,
          }),
          "the page after it",
        ),
        [key("b")],
      );
      // Once both are gone the list works again.
      for (const name of ["b", "d"]) {
        await store.delete(key(name), { expectCorrupt: true });
      }
      const all = await store.list(prefix(), { recursive: true });
      assert.deepEqual(names(all.items), ["a", "c", "e"]);
    },
  },
  {
    name:
      "the unsafe delete removes only a corrupt value, skips preconditions and validation, and watchers get its DELETED",
    upstream: "(KEP-3926) unsafe delete (ExpectTransformOrDecodeError)",
    async run({ store, key, prefix, writeRaw }) {
      const good = await store.create(
        key("good"),
        newObject("good", { labels: { team: "x" } }),
      );
      await writeRaw(key("bad"), "[1]");
      const from = String(await store.currentRevision());
      await withWatch(
        store,
        prefix(),
        { recursive: true, resourceVersion: from },
        async (all) => {
          await withWatch(
            store,
            prefix(),
            { recursive: true, resourceVersion: from, predicate: TEAM_X },
            async (selected) => {
              // A readable object is refused, and kept.
              const refused = await expectStorageError(
                store.delete(key("good"), { expectCorrupt: true }),
                "InvalidObject",
                "the unsafe delete of a readable object",
              );
              assert.match(refused.message, /decodable/);
              assert.deepEqual(await store.get(key("good")), good);
              await expectStorageError(
                store.delete(key("none"), { expectCorrupt: true }),
                "NotFound",
                "the unsafe delete of a missing key",
              );
              const gone = await store.delete(key("bad"), {
                expectCorrupt: true,
                // Ignored: nothing can be checked on a value that does not
                // decode.
                preconditions: { uid: "someone-else" },
                validateDeletion: () => {
                  throw new Error("validateDeletion must not be called");
                },
              });
              const rv = rvOf(gone);
              assert.ok(rv > Number(from));
              assert.deepEqual(gone.metadata, {
                name: "bad",
                namespace: "ns",
                resourceVersion: String(rv),
              });
              await expectStorageError(store.get(key("bad")), "NotFound");
              assert.deepEqual(
                names((await store.list(prefix(), { recursive: true })).items),
                ["good"],
              );
              // Every watcher hears of it, a selector's too: none can tell
              // that the corrupt object did not match.
              for (const w of [all, selected]) {
                const obj = await w.expect("DELETED", { skipBookmarks: true });
                assert.equal(obj.metadata.name, "bad");
                assert.equal(obj.metadata.namespace, "ns");
                assert.equal(obj.metadata.resourceVersion, String(rv));
                await w.expectQuiet();
              }
            },
          );
        },
      );
      // A second unsafe delete finds nothing.
      await expectStorageError(
        store.delete(key("bad"), { expectCorrupt: true }),
        "NotFound",
      );
    },
  },
  {
    name:
      "a watch whose selector must read a corrupt value ends with an ERROR naming its key",
    upstream: "(KEP-3926) watch of a corrupt object",
    async run({ store, key, prefix, writeRaw }) {
      await store.create(key("a"), newObject("a", { labels: { team: "x" } }));
      await writeRaw(key("b"), "{oops");
      // In the initial events...
      await withWatch(
        store,
        prefix(),
        { recursive: true, resourceVersion: "0", predicate: TEAM_X },
        async (w) => {
          let ev = await w.next({ skipBookmarks: true });
          if (ev.type === "ADDED") {
            assert.equal(ev.object.metadata.name, "a");
            ev = await w.next({ skipBookmarks: true });
          }
          assert.equal(ev.type, "ERROR", `got ${ev.type}`);
          if (ev.type === "ERROR") assertNamesKey(ev.error, key("b"));
          await w.expectEnd();
        },
      );
      await store.delete(key("b"), { expectCorrupt: true });
      // ...and in a live change.
      const from = String(await store.currentRevision());
      await withWatch(
        store,
        prefix(),
        { recursive: true, resourceVersion: from, predicate: TEAM_X },
        async (w) => {
          await writeRaw(key("c"), '{"metadata":');
          const ev = await w.next({ skipBookmarks: true });
          assert.equal(ev.type, "ERROR", `got ${ev.type}`);
          if (ev.type === "ERROR") assertNamesKey(ev.error, key("c"));
          await w.expectEnd();
        },
      );
      await store.delete(key("c"), { expectCorrupt: true });
      const left = await store.list(prefix(), { recursive: true });
      assert.deepEqual(names(left.items), ["a"]);
    },
  },
]);
