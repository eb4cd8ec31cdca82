/**
 * The etcd backend behind a silent network partition: its connection stays
 * open but carries nothing, and stays dead after the network heals (a lost
 * route or firewall state); a connection attempted during the partition is
 * accepted into the black hole and never gets etcd's HTTP/2 settings, which
 * `@grpc/grpc-js` waits for without a deadline. Requests fail with
 * `Unavailable` within their deadline; after the heal every request works
 * again within a few deadlines, and a watch opened before the partition
 * resumes and sees a write made through another client.
 */
import assert from "node:assert/strict";
import { openEtcd } from "../backends/etcd/mod.ts";
import { parseEtcdConfig } from "../backends/etcd/config.ts";
import { silentLogger } from "../log/mod.ts";
import type {
  KubeObject,
  Store,
  StoreFactory,
  WatchEvent,
} from "../storage/mod.ts";
import { BlackholeProxy } from "./support/blackhole_proxy.ts";
import { startEtcd } from "./support/etcd.ts";
import { allUnavailable, recoversWithin } from "./support/unavailable.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
const DEADLINE_MS = 1_000;
/**
 * How soon after the heal everything must work again: a bound on behaviour
 * (without replacing the client, requests waited for the keepalive to find
 * the dead connection, ~15 s, and then for a connection attempt that never
 * ends).
 */
const RECOVERY_MS = 8_000;

function cm(name: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
  };
}

function open(server: string, requestTimeoutMs?: number) {
  const { config, problems } = parseEtcdConfig({
    "etcd-servers": server,
    "etcd-compaction-interval": "0",
  });
  assert.ok(config, problems.join("; "));
  return openEtcd(
    {
      ...config,
      requestTimeoutMs: requestTimeoutMs ?? config.requestTimeoutMs,
    },
    { logger: silentLogger },
  );
}

/** A round of parallel gets and a create; the number that failed. */
async function round(store: Store, tag: string): Promise<number> {
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 6; i++) calls.push(store.get(`${PREFIX}warm`));
  calls.push(store.create(`${PREFIX}${tag}`, cm(tag)));
  const outcomes = await Promise.allSettled(calls);
  return outcomes.filter((o) => o.status === "rejected").length;
}

Deno.test("etcd behind a silent network partition recovers once it heals", async () => {
  const etcd = await startEtcd();
  if (!etcd) return;
  const proxy = new BlackholeProxy(Number(new URL(etcd.endpoints[0]).port));
  let near: StoreFactory | undefined;
  let far: StoreFactory | undefined;
  try {
    near = await open(`http://127.0.0.1:${proxy.port}`, DEADLINE_MS);
    far = await open(etcd.endpoints[0]);
    const store = near.storeFor({ resource: "configmaps" });
    const created = await store.create(`${PREFIX}warm`, cm("warm"));
    const seen: WatchEvent[] = [];
    const watch = await store.watch(PREFIX, {
      recursive: true,
      resourceVersion: created.metadata.resourceVersion,
    });
    const reading = (async () => {
      for await (const ev of watch) seen.push(ev);
    })();
    assert.equal(await round(store, "before"), 0);

    proxy.partition();
    await allUnavailable(
      [store.get(`${PREFIX}warm`), store.create(`${PREFIX}during`, cm("x"))],
      /etcd unavailable/,
    );
    // More requests meanwhile: the client replaced during the partition
    // tries to connect into the black hole.
    for (let i = 0; i < 3; i++) {
      await store.get(`${PREFIX}warm`).catch(() => {});
    }

    proxy.heal();
    await recoversWithin((n) => round(store, `after-${n}`), RECOVERY_MS);
    // The watch resumed: a write through another client reaches it.
    await far.storeFor({ resource: "configmaps" }).create(
      `${PREFIX}far`,
      cm("far"),
    );
    const deadline = Date.now() + RECOVERY_MS;
    while (
      !seen.some((e) => e.type === "ADDED" && e.object.metadata.name === "far")
    ) {
      assert.ok(Date.now() < deadline, "the watch did not see the write");
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(seen.filter((e) => e.type === "ERROR"), []);
    watch.stop();
    await reading;
  } finally {
    await near?.close();
    await far?.close();
    proxy.close();
    await etcd.stop();
  }
});
