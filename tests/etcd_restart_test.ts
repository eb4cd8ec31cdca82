import assert from "node:assert/strict";
import { silentLogger } from "../log/mod.ts";
import {
  isStorageError,
  type KubeObject,
  objectKey,
  type StoreFactory,
  type WatchEvent,
} from "../storage/mod.ts";
import { openEtcd, parseEtcdConfig } from "../backends/etcd/mod.ts";
import { skipWithoutEtcd, startEtcd } from "./support/etcd.ts";

const ref = { resource: "configmaps" };

async function open(endpoints: string[]): Promise<StoreFactory> {
  const { config } = parseEtcdConfig({
    "etcd-servers": endpoints.join(","),
    "etcd-compaction-interval": "0",
  });
  return await openEtcd(config!, { logger: silentLogger });
}

function cm(name: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name } };
}

/** Collects watch events in the background until stopped. */
function collect(it: AsyncIterable<WatchEvent>): {
  events: WatchEvent[];
  done: Promise<void>;
} {
  const events: WatchEvent[] = [];
  const done = (async () => {
    for await (const ev of it) events.push(ev);
  })();
  return { events, done };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

Deno.test("a store survives an etcd restart: Unavailable while down, recovery after, no acknowledged write lost, watchers see every event", async () => {
  if (skipWithoutEtcd("etcd restart test")) return;
  const etcd = await startEtcd();
  const factory = await open(etcd.endpoints);
  try {
    const store = factory.storeFor(ref);
    const prefix = "/registry/configmaps/clusters/root/default/";
    const key = (n: string) =>
      objectKey({ ...ref, cluster: "root", namespace: "default", name: n });
    const watcher = await store.watch(prefix, { recursive: true });
    const seen = collect(watcher);

    const acked: string[] = [];
    for (let i = 0; i < 20; i++) {
      await store.create(key(`before-${i}`), cm(`before-${i}`));
      acked.push(`before-${i}`);
    }

    await etcd.members[0].stop();
    await assert.rejects(
      store.create(key("while-down"), cm("while-down")),
      (e) => isStorageError(e, "Unavailable"),
    );
    await assert.rejects(
      store.get(key("before-0")),
      (e) => isStorageError(e, "Unavailable"),
    );
    await assert.rejects(
      factory.readiness(),
      (e) => isStorageError(e, "Unavailable"),
    );

    await etcd.members[0].start();
    // Recovery on its own: retry until the first request goes through.
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      try {
        await factory.readiness();
        recovered = true;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    assert.ok(recovered, "store did not recover after etcd restart");

    for (let i = 0; i < 20; i++) {
      await store.create(key(`after-${i}`), cm(`after-${i}`));
      acked.push(`after-${i}`);
    }

    const list = await store.list(prefix, { recursive: true });
    const names = new Set(list.items.map((o) => o.metadata.name));
    for (const n of acked) assert.ok(names.has(n), `acknowledged ${n} lost`);

    // The watcher either saw every acknowledged create or ended with an ERROR.
    await until(
      () =>
        seen.events.some((e) => e.type === "ERROR") ||
        acked.every((n) =>
          seen.events.some((e) =>
            e.type === "ADDED" && e.object.metadata.name === n
          )
        ),
      "watch events after restart",
    );
    const error = seen.events.find((e) => e.type === "ERROR");
    if (!error) {
      const added = seen.events
        .filter((e) => e.type === "ADDED")
        .map((e) => (e as { object: KubeObject }).object.metadata.name);
      assert.deepEqual(added, acked, "every event once, in order");
    }
    watcher.stop();
    await seen.done;
  } finally {
    await factory.close();
    await etcd.stop();
  }
});
