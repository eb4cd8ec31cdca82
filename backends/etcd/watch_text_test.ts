import assert from "node:assert/strict";
import { silentLogger } from "../../log/mod.ts";
import {
  isStorageError,
  type KubeObject,
  objectKey,
  type StoreFactory,
  type Watcher,
  type WatchEvent,
} from "../../storage/mod.ts";
import { skipWithoutEtcd, startEtcd } from "../../tests/support/etcd.ts";
import { parseEtcdConfig } from "./config.ts";
import { openEtcd } from "./factory.ts";

const ref = { resource: "configmaps" };
const PREFIX = "/registry/configmaps/clusters/root/";

function cm(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default", labels },
    data: { k: name },
  };
}

function key(name: string): string {
  return objectKey({ ...ref, cluster: "root", namespace: "default", name });
}

async function open(endpoints: string[]): Promise<StoreFactory> {
  const { config, problems } = parseEtcdConfig({
    "etcd-servers": endpoints.join(","),
    "etcd-compaction-interval": "0",
  });
  assert.deepEqual(problems, []);
  return await openEtcd(config!, { logger: silentLogger });
}

/** Takes `n` events (not BOOKMARKs) from `w`, failing after 10 s. */
async function take(w: Watcher, n: number): Promise<WatchEvent[]> {
  const it = w[Symbol.asyncIterator]();
  const out: WatchEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no event in 10s")), 10_000);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error("watch ended");
      if (r.value.type !== "BOOKMARK") out.push(r.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts `ev` carries a text that describes its object; returns the text. */
function textOf(ev: WatchEvent): { json: string; revision: number } {
  assert.notEqual(ev.type, "ERROR");
  if (ev.type === "ERROR") throw ev.error;
  assert.ok(ev.text, `${ev.type} event without text`);
  assert.deepEqual(JSON.parse(ev.text.json), ev.object);
  assert.equal(String(ev.text.revision), ev.object.metadata.resourceVersion);
  return ev.text;
}

/** Writes `value` at store key `k` as it is, through etcd's JSON gateway. */
async function putRaw(endpoint: string, k: string, value: string) {
  const res = await fetch(`${endpoint}/v3/kv/put`, {
    method: "POST",
    body: JSON.stringify({ key: btoa(k), value: btoa(value) }),
  });
  assert.equal(res.status, 200, await res.text());
}

Deno.test("etcd watch events carry their object's text (WatchEvent.text)", async (t) => {
  if (skipWithoutEtcd("etcd watch text test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  try {
    const store = factory.storeFor(ref);
    const a = await store.create(key("a"), cm("a", { team: "x" }));

    await t.step(
      "initial events are the stored text with the revision spliced in",
      async () => {
        await store.create(key("b"), cm("b"));
        const w = await store.watch(PREFIX, { recursive: true });
        try {
          const evs = await take(w, 2);
          assert.deepEqual(evs.map((e) => e.type), ["ADDED", "ADDED"]);
          const text = textOf(evs[0]);
          assert.equal(text.revision, Number(a.metadata.resourceVersion));
          // The splice, not a re-serialisation: the revision leads metadata.
          assert.ok(
            text.json.includes(
              `"metadata":{"resourceVersion":"${text.revision}",`,
            ),
            text.json,
          );
          textOf(evs[1]);
        } finally {
          w.stop();
        }
      },
    );

    await t.step(
      "live ADDED, MODIFIED and DELETED events carry text",
      async () => {
        const from = await store.currentRevision();
        const w = await store.watch(PREFIX, {
          recursive: true,
          resourceVersion: String(from),
        });
        try {
          const c = await store.create(key("c"), cm("c"));
          const u = await store.guaranteedUpdate(key("c"), {
            tryUpdate: (o) => ({ ...o!, data: { k: "changed" } }),
          });
          const d = await store.delete(key("c"));
          const evs = await take(w, 3);
          assert.deepEqual(evs.map((e) => e.type), [
            "ADDED",
            "MODIFIED",
            "DELETED",
          ]);
          const revs = evs.map((e) => textOf(e).revision);
          assert.deepEqual(
            revs,
            [c, u, d].map((o) => Number(o.metadata.resourceVersion)),
          );
          // A DELETED event's text is the last state at the delete's revision.
          assert.equal(JSON.parse(textOf(evs[2]).json).data.k, "changed");
        } finally {
          w.stop();
        }
      },
    );

    await t.step(
      "with a predicate, objects entering and leaving it carry text",
      async () => {
        const from = await store.currentRevision();
        const w = await store.watch(PREFIX, {
          recursive: true,
          resourceVersion: String(from),
          predicate: { matches: (o) => o.metadata.labels?.team === "x" },
        });
        try {
          const label = (team: string) => (o: KubeObject | null) => ({
            ...o!,
            metadata: { ...o!.metadata, labels: { team } },
          });
          await store.guaranteedUpdate(key("b"), { tryUpdate: label("x") });
          await store.guaranteedUpdate(key("a"), { tryUpdate: label("y") });
          const evs = await take(w, 2);
          assert.deepEqual(
            evs.map((e) => e.type === "ERROR" ? e.type : [e.type, e.key]),
            [["ADDED", key("b")], ["DELETED", key("a")]],
          );
          // Leaving the filter: the last matching state, at the event's revision.
          const left = JSON.parse(textOf(evs[1]).json);
          assert.equal(left.metadata.labels.team, "x");
          textOf(evs[0]);
        } finally {
          w.stop();
        }
      },
    );

    await t.step(
      "text the splice cannot handle is the object serialised",
      async () => {
        const from = await store.currentRevision();
        const w = await store.watch(PREFIX, {
          recursive: true,
          resourceVersion: String(from),
        });
        try {
          // Stored by another writer: a field before metadata that is not a
          // string, and a resourceVersion inside.
          await putRaw(
            etcd.endpoints[0],
            key("raw"),
            '{"spec":{"n":1},"metadata":{"name":"raw","resourceVersion":"1"}}',
          );
          const [ev] = await take(w, 1);
          const text = textOf(ev);
          assert.equal(JSON.parse(text.json).spec.n, 1);
          assert.equal(
            JSON.parse(text.json).metadata.resourceVersion,
            String(text.revision),
          );
        } finally {
          w.stop();
        }
      },
    );

    await t.step(
      "a value that is not JSON is a storage error naming its key",
      async () => {
        const from = await store.currentRevision();
        const w = await store.watch(PREFIX, {
          recursive: true,
          resourceVersion: String(from),
        });
        const filtered = await store.watch(PREFIX, {
          recursive: true,
          resourceVersion: String(from),
          predicate: { matches: () => true },
        });
        try {
          await putRaw(etcd.endpoints[0], key("bad"), "not json");
          // Decoded on first use: reading the object (or its text) fails.
          const [ev] = await take(w, 1);
          assert.equal(ev.type, "ADDED");
          // A CorruptObject storage error naming the key, from the lazy
          // decode (storage/log's storedEvent) and from etcd's own reads.
          const isBad = (e: unknown) =>
            isStorageError(e, "CorruptObject") &&
            (e as Error).message.includes(key("bad"));
          assert.throws(() => ev.object, isBad);
          assert.throws(() => ev.text, isBad);
          // A predicate decodes at once: the watch ends with an ERROR event.
          const [err] = await take(filtered, 1);
          assert.equal(err.type, "ERROR");
          assert.ok(err.type === "ERROR" && isBad(err.error), String(err));
          await assert.rejects(
            store.list(PREFIX, { recursive: true }),
            isBad,
          );
        } finally {
          w.stop();
          filtered.stop();
        }
      },
    );
  } finally {
    await factory.close();
    await etcd.stop();
  }
});
