import assert from "node:assert/strict";
import { silentLogger } from "../log/mod.ts";
import {
  isStorageError,
  objectKey,
  type StoreFactory,
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

Deno.test("on a three-member etcd, killing the leader mid-stream of writes loses no acknowledged write", async () => {
  if (skipWithoutEtcd("etcd cluster test")) return;
  const etcd = await startEtcd({ members: 3 });
  const factory = await open(etcd.endpoints);
  let survivors: StoreFactory | undefined;
  try {
    const store = factory.storeFor(ref);
    const key = (i: number) =>
      objectKey({
        ...ref,
        cluster: "root",
        namespace: "default",
        name: `w${i}`,
      });
    const acked: number[] = [];
    let unavailable = 0;
    const total = 120;
    let killed: number | undefined;
    for (let i = 0; i < total; i++) {
      if (i === 40) {
        killed = await etcd.leaderIndex();
        await etcd.members[killed].stop({ hard: true });
      }
      // A client's loop: retry Unavailable; after an ambiguous failure a
      // KeyExists means the earlier attempt committed.
      let ambiguous = false;
      for (let attempt = 0;; attempt++) {
        try {
          await store.create(key(i), {
            metadata: { name: `w${i}`, namespace: "default" },
            data: { i: String(i) },
          });
          acked.push(i);
          break;
        } catch (err) {
          if (ambiguous && isStorageError(err, "KeyExists")) {
            break;
          }
          if (!isStorageError(err, "Unavailable") || attempt > 200) throw err;
          unavailable++;
          ambiguous = true;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    assert.ok(killed !== undefined);
    const newLeader = await etcd.leaderIndex();
    assert.notEqual(newLeader, killed, "a new leader was elected");

    // Read back through the surviving members only.
    survivors = await open(
      etcd.members.filter((_, i) => i !== killed).map((m) => m.clientUrl),
    );
    const list = await survivors.storeFor(ref).list(
      "/registry/configmaps/clusters/root/default/",
      { recursive: true },
    );
    const names = new Set(list.items.map((o) => o.metadata.name));
    for (const i of acked) {
      assert.ok(names.has(`w${i}`), `acknowledged w${i} lost`);
    }
    assert.equal(names.size, total, `all ${total} writes present`);
    console.error(
      `etcd cluster test: ${acked.length} acknowledged, ${unavailable} Unavailable retries during failover`,
    );
  } finally {
    await survivors?.close();
    await factory.close();
    await etcd.stop();
  }
});
