import assert from "node:assert/strict";
import { silentLogger } from "../log/mod.ts";
import {
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

async function take(
  it: AsyncIterator<WatchEvent>,
  n: number,
): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`got ${out.length}/${n}`)),
      15_000,
    );
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) throw new Error("watch ended");
      out.push(r.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("two replicas on one etcd see each other's writes in get, list and watch", async () => {
  if (skipWithoutEtcd("etcd replicas test")) return;
  const etcd = await startEtcd();
  const a = await open(etcd.endpoints);
  const b = await open(etcd.endpoints);
  try {
    const storeA = a.storeFor(ref);
    const storeB = b.storeFor(ref);
    const prefix = "/registry/configmaps/clusters/tenant/";
    const watchB = await storeB.watch(prefix, { recursive: true });
    const it = watchB[Symbol.asyncIterator]();

    const key = objectKey({
      ...ref,
      cluster: "tenant",
      namespace: "ns",
      name: "x",
    });
    const created = await storeA.create(key, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", namespace: "ns" },
      data: { from: "a" },
    });

    assert.deepEqual(await storeB.get(key), created);
    const list = await storeB.list(prefix, { recursive: true });
    assert.deepEqual(list.items, [created]);
    assert.ok(
      Number(list.resourceVersion) >= Number(created.metadata.resourceVersion),
    );

    const updated = await storeB.guaranteedUpdate(key, {
      tryUpdate: (cur) => ({ ...cur!, data: { from: "b" } }),
    });
    assert.deepEqual(await storeA.get(key), updated);
    const deleted = await storeA.delete(key);

    const events = await take(it, 3);
    assert.deepEqual(events.map((e) => e.type), [
      "ADDED",
      "MODIFIED",
      "DELETED",
    ]);
    // Events decode lazily (getters), so their fields are compared.
    const fields = events.map((e) =>
      e.type === "ERROR" ? e : { type: e.type, object: e.object, key: e.key }
    );
    assert.deepEqual(fields[0], { type: "ADDED", object: created, key });
    assert.deepEqual(fields[1], { type: "MODIFIED", object: updated, key });
    assert.deepEqual(fields[2], { type: "DELETED", object: deleted, key });
    watchB.stop();
  } finally {
    await a.close();
    await b.close();
    await etcd.stop();
  }
});

Deno.test("a custom --etcd-prefix replaces /registry in etcd and isolates replicas on other prefixes", async () => {
  if (skipWithoutEtcd("etcd prefix test")) return;
  const etcd = await startEtcd();
  const { config } = parseEtcdConfig({
    "etcd-servers": etcd.endpoints.join(","),
    "etcd-prefix": "/other",
    "etcd-compaction-interval": "0",
  });
  const other = await openEtcd(config!, { logger: silentLogger });
  const plain = await open(etcd.endpoints);
  try {
    const key = objectKey({
      ...ref,
      cluster: "root",
      namespace: "default",
      name: "p",
    });
    await other.storeFor(ref).create(key, { metadata: { name: "p" } });
    const res = await fetch(`${etcd.endpoints[0]}/v3/kv/range`, {
      method: "POST",
      body: JSON.stringify({
        key: btoa("/"),
        range_end: btoa("0"),
        keys_only: true,
      }),
    });
    const body = await res.json() as { kvs?: { key: string }[] };
    assert.deepEqual(
      (body.kvs ?? []).map((kv) => atob(kv.key)),
      ["/other/configmaps/clusters/root/default/p"],
    );
    const list = await plain.storeFor(ref).list("/registry/configmaps/", {
      recursive: true,
    });
    assert.equal(list.items.length, 0);
  } finally {
    await other.close();
    await plain.close();
    await etcd.stop();
  }
});
