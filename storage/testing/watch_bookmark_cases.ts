/**
 * Conformance cases for watch bookmarks and initial events (upstream
 * RunTestProgressNotify, RunTestWatchDispatchBookmarkEvents,
 * RunTestOptionalWatchBookmarksWithCorrectResourceVersion,
 * RunTestSendInitialEventsBackwardCompatibility, RunTestEtcdWatchSemantics,
 * RunTestEtcdWatchSemanticInitialEventsExtended).
 *
 * Bookmarks are provoked with `requestWatchProgress()`; periodic bookmarks
 * may arrive at any time and are tolerated where they could interleave.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  INITIAL_EVENTS_END_ANNOTATION,
  type KubeObject,
  type Predicate,
  type WatchEvent,
} from "../mod.ts";
import { casesOf } from "./_case.ts";
import {
  describeEvent,
  newObject,
  rvOf,
  type WatchCollector,
  withSpec,
  withWatch,
} from "./_helpers.ts";

function isInitialEnd(ev: WatchEvent): boolean {
  return ev.type === "BOOKMARK" &&
    ev.object.metadata.annotations?.[INITIAL_EVENTS_END_ANNOTATION] === "true";
}

/** Asserts a bookmark object carries nothing but its resourceVersion (and annotations). */
function assertBareBookmark(obj: KubeObject): void {
  for (const k of Object.keys(obj)) {
    assert.ok(
      ["apiVersion", "kind", "metadata"].includes(k),
      `a BOOKMARK object may not carry ${k}`,
    );
  }
  for (const k of Object.keys(obj.metadata)) {
    assert.ok(
      ["resourceVersion", "annotations"].includes(k),
      `a BOOKMARK object's metadata may not carry ${k}`,
    );
  }
  rvOf(obj);
}

/**
 * Reads the initial ADDED events up to the end-of-initial-events BOOKMARK;
 * returns the ADDED objects (sorted by name) and the bookmark.
 */
async function readInitialEvents(
  w: WatchCollector,
): Promise<{ added: KubeObject[]; end: KubeObject }> {
  const added: KubeObject[] = [];
  for (;;) {
    const ev = await w.next();
    if (isInitialEnd(ev)) {
      const end = (ev as { object: KubeObject }).object;
      assertBareBookmark(end);
      added.sort((a, b) =>
        (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "")
      );
      return { added, end };
    }
    if (ev.type === "BOOKMARK") continue; // a periodic bookmark
    assert.equal(
      ev.type,
      "ADDED",
      `initial events are ADDED, got ${describeEvent(ev)}`,
    );
    added.push((ev as { object: KubeObject }).object);
  }
}

const isTierX: Predicate = {
  matches: (obj) => obj.metadata.labels?.tier === "x",
};

/** Cases about bookmarks and initial events. */
export const watchBookmarkCases = casesOf(
  "watch bookmarks and initial events",
  [
    {
      name: "requestWatchProgress sends a bare BOOKMARK at a current revision",
      upstream: "RunTestProgressNotify",
      async run({ store, key }) {
        const created = await store.create(key("foo"), newObject("foo"));
        await withWatch(store, key("foo"), {
          recursive: false,
          resourceVersion: created.metadata.resourceVersion,
          allowBookmarks: true,
        }, async (w) => {
          await store.requestWatchProgress();
          const bookmark = await w.expect("BOOKMARK");
          assertBareBookmark(bookmark);
          assert.ok(rvOf(bookmark) >= rvOf(created));
        });
      },
    },
    {
      name: "watchers without allowBookmarks never get a BOOKMARK",
      upstream:
        "RunTestWatchDispatchBookmarkEvents (allowWatchBookmarks=false)",
      async run({ store, key }) {
        const created = await store.create(key("foo"), newObject("foo"));
        await withWatch(store, key("foo"), {
          recursive: false,
          resourceVersion: created.metadata.resourceVersion,
        }, async (w) => {
          await store.requestWatchProgress();
          await w.expectQuiet();
          const updated = await store.guaranteedUpdate(key("foo"), {
            tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
          });
          assert.deepEqual(await w.expect("MODIFIED"), updated);
          await store.requestWatchProgress();
          await w.expectQuiet();
        });
      },
    },
    {
      name:
        "bookmarks never go backwards and never overtake undelivered events",
      upstream:
        "RunTestWatchDispatchBookmarkEvents / RunTestOptionalWatchBookmarksWithCorrectResourceVersion",
      async run({ store, key, prefix }) {
        const start = await store.list(prefix(), { recursive: true });
        await withWatch(store, prefix(), {
          recursive: true,
          resourceVersion: start.resourceVersion,
          allowBookmarks: true,
        }, async (w) => {
          let lastWrite = 0;
          for (let i = 0; i < 5; i++) {
            lastWrite = rvOf(
              await store.create(key(`o${i}`), newObject(`o${i}`)),
            );
            await store.requestWatchProgress();
          }
          let highest = 0;
          let added = 0;
          let bookmarkedPastLastWrite = false;
          while (added < 5 || !bookmarkedPastLastWrite) {
            const ev = await w.next();
            assert.notEqual(ev.type, "ERROR", describeEvent(ev));
            const rv = rvOf((ev as { object: KubeObject }).object);
            if (ev.type === "BOOKMARK") {
              assert.ok(
                rv >= highest,
                `bookmark ${rv} went back from ${highest}`,
              );
              if (rv >= lastWrite) {
                assert.equal(
                  added,
                  5,
                  "a bookmark past the last write came before its events",
                );
                bookmarkedPastLastWrite = true;
              } else if (added === 5) {
                await store.requestWatchProgress();
              }
            } else {
              assert.equal(ev.type, "ADDED");
              assert.ok(rv > highest, `event ${rv} is not after ${highest}`);
              added++;
              if (added === 5) await store.requestWatchProgress();
            }
            highest = Math.max(highest, rv);
          }
        });
      },
    },
    {
      name: "a bookmark moves past writes the predicate filters out",
      upstream: "RunTestWatchDispatchBookmarkEvents (filtered)",
      async run({ store, key, prefix }) {
        const start = await store.list(prefix(), { recursive: true });
        await withWatch(store, prefix(), {
          recursive: true,
          resourceVersion: start.resourceVersion,
          allowBookmarks: true,
          predicate: isTierX,
        }, async (w) => {
          let last = 0;
          for (let i = 0; i < 3; i++) {
            last = rvOf(
              await store.create(
                key(`o${i}`),
                newObject(`o${i}`, { labels: { tier: "y" } }),
              ),
            );
          }
          for (let attempt = 0;; attempt++) {
            await store.requestWatchProgress();
            const bookmark = await w.expect("BOOKMARK");
            if (rvOf(bookmark) >= last) break;
            assert.ok(attempt < 20, "bookmarks never reached the last write");
          }
        });
      },
    },
    {
      name:
        "sendInitialEvents with bookmarks sends the current state then an annotated BOOKMARK",
      upstream:
        "RunTestEtcdWatchSemantics (sendInitialEvents=true, RV unset) / InitialEventsEndBookmark",
      async run({ store, key, prefix }) {
        const a = await store.create(key("a"), newObject("a"));
        await store.create(key("b"), newObject("b"));
        const b = await store.guaranteedUpdate(key("b"), {
          tryUpdate: (cur) => withSpec(cur!, { v: 2 }),
        });
        await store.create(
          key("other", { namespace: "elsewhere" }),
          newObject("other"),
        );
        for (const resourceVersion of ["", "0", b.metadata.resourceVersion!]) {
          await withWatch(store, prefix(), {
            recursive: true,
            resourceVersion,
            sendInitialEvents: true,
            allowBookmarks: true,
          }, async (w) => {
            const { added, end } = await readInitialEvents(w);
            assert.deepEqual(
              added,
              [a, b],
              `RV ${JSON.stringify(resourceVersion)}`,
            );
            assert.ok(
              rvOf(end) >= rvOf(b),
              "the end bookmark covers the initial state",
            );
            const c = await store.create(
              key(`c${resourceVersion}`),
              newObject("c"),
            );
            assert.deepEqual(
              await w.expect("ADDED", { skipBookmarks: true }),
              c,
            );
            await store.delete(key(`c${resourceVersion}`));
            await w.expect("DELETED", { skipBookmarks: true });
          });
        }
      },
    },
    {
      name:
        "sendInitialEvents on an empty prefix sends only the annotated BOOKMARK",
      upstream: "RunTestEtcdWatchSemantics (empty)",
      async run({ store, key, prefix }) {
        await store.create(
          key("x", { namespace: "elsewhere" }),
          newObject("x"),
        );
        const before = await store.currentRevision();
        await withWatch(store, prefix(), {
          recursive: true,
          sendInitialEvents: true,
          allowBookmarks: true,
        }, async (w) => {
          const { added, end } = await readInitialEvents(w);
          assert.deepEqual(added, []);
          assert.ok(rvOf(end) >= before);
        });
      },
    },
    {
      name:
        "initial events show each object once, in its latest state, filtered by the predicate",
      upstream: "RunTestEtcdWatchSemanticInitialEventsExtended",
      async run({ store, key, prefix }) {
        await store.create(key("a"), newObject("a", { labels: { tier: "x" } }));
        let a = await store.get(key("a"));
        for (let i = 0; i < 3; i++) {
          a = await store.guaranteedUpdate(key("a"), {
            tryUpdate: (cur) => withSpec(cur!, { i }),
          });
        }
        await store.create(key("b"), newObject("b", { labels: { tier: "y" } }));
        await store.create(
          key("gone"),
          newObject("gone", { labels: { tier: "x" } }),
        );
        await store.delete(key("gone"));
        await withWatch(store, prefix(), {
          recursive: true,
          sendInitialEvents: true,
          allowBookmarks: true,
          predicate: isTierX,
        }, async (w) => {
          const { added } = await readInitialEvents(w);
          assert.deepEqual(added, [a]);
          await w.expectQuiet(undefined, { skipBookmarks: true });
        });
      },
    },
    {
      name:
        "sendInitialEvents false with no resourceVersion sends only later changes",
      upstream: "RunTestEtcdWatchSemantics (sendInitialEvents=false, RV unset)",
      async run({ store, key, prefix }) {
        await store.create(key("a"), newObject("a"));
        await withWatch(store, prefix(), {
          recursive: true,
          sendInitialEvents: false,
          allowBookmarks: true,
        }, async (w) => {
          await w.expectQuiet(undefined, { skipBookmarks: true });
          const b = await store.create(key("b"), newObject("b"));
          const ev = await w.next({ skipBookmarks: true });
          assert.equal(ev.type, "ADDED");
          assert.deepEqual((ev as { object: KubeObject }).object, b);
        });
      },
    },
    {
      name:
        "sendInitialEvents false with a resourceVersion sends the changes after it",
      upstream: "RunTestEtcdWatchSemantics (sendInitialEvents=false, RV=N)",
      async run({ store, key, prefix }) {
        const a = await store.create(key("a"), newObject("a"));
        const b = await store.create(key("b"), newObject("b"));
        await withWatch(store, prefix(), {
          recursive: true,
          resourceVersion: a.metadata.resourceVersion,
          sendInitialEvents: false,
        }, async (w) => {
          assert.deepEqual(await w.expect("ADDED"), b);
          await w.expectQuiet();
        });
      },
    },
    {
      name:
        "without sendInitialEvents a watch from 0 sends the state but no end-of-initial-events BOOKMARK",
      upstream: "RunTestSendInitialEventsBackwardCompatibility",
      async run({ store, key, prefix }) {
        const a = await store.create(key("a"), newObject("a"));
        await withWatch(store, prefix(), {
          recursive: true,
          resourceVersion: "0",
          allowBookmarks: true,
        }, async (w) => {
          assert.deepEqual(await w.expect("ADDED", { skipBookmarks: true }), a);
          await w.expectQuiet(undefined, { skipBookmarks: true });
          const annotated = w.pending.find(isInitialEnd);
          assert.equal(annotated, undefined, "no initial-events-end BOOKMARK");
        });
      },
    },
    {
      name:
        "sendInitialEvents without allowBookmarks sends the state and no BOOKMARK",
      upstream: "RunTestEtcdWatchSemantics (allowWatchBookmarks=false)",
      async run({ store, key, prefix }) {
        const a = await store.create(key("a"), newObject("a"));
        await withWatch(store, prefix(), {
          recursive: true,
          sendInitialEvents: true,
        }, async (w) => {
          assert.deepEqual(await w.expect("ADDED"), a);
          await w.expectQuiet();
        });
      },
    },
  ],
);
