import assert from "node:assert/strict";
import { memoryBackend } from "../../../backends/memory/mod.ts";
import { silentLogger } from "../../../log/mod.ts";
import { objectKey } from "../../../storage/mod.ts";
import { quantityOf } from "../../validation/quantity.ts";
import { QuotaCharger } from "./charger.ts";
import { QuotaRefusal } from "./evaluate.ts";

Deno.test("concurrent charges to one quota are decided in order and written in batches", async () => {
  const storage = await memoryBackend().open({}, {
    dataDir: "/tmp",
    logger: silentLogger,
  });
  const store = storage.storeFor({ resource: "resourcequotas" });
  const key = objectKey({
    resource: "resourcequotas",
    cluster: "root",
    namespace: "default",
    name: "q",
  });
  await store.create(key, {
    metadata: { name: "q", namespace: "default" },
    spec: { hard: { "count/secrets": "3" } },
    status: { hard: { "count/secrets": "3" }, used: { "count/secrets": "0" } },
  });
  let writes = 0;
  const counting = {
    ...store,
    guaranteedUpdate: (
      k: string,
      o: Parameters<typeof store.guaranteedUpdate>[1],
    ) => {
      writes++;
      return store.guaranteedUpdate(k, o);
    },
  } as typeof store;
  const charger = new QuotaCharger(counting);
  const delta = new Map([["count/secrets", quantityOf(1)]]);
  const results = await Promise.allSettled(
    Array.from({ length: 10 }, () => charger.charge(key, delta)),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    [
      "fulfilled",
      "fulfilled",
      "fulfilled",
      ...Array(7).fill("rejected"),
    ],
  );
  for (const r of results.slice(3)) {
    const reason = (r as PromiseRejectedResult).reason;
    assert.ok(reason instanceof QuotaRefusal);
    assert.equal(
      reason.message,
      "exceeded quota: q, requested: count/secrets=1, used: count/secrets=3, limited: count/secrets=3",
    );
  }
  assert.ok(writes <= 2, `${writes} writes for 10 charges`);
  const stored = await store.get(key);
  assert.deepEqual((stored.status as Record<string, unknown>).used, {
    "count/secrets": "3",
  });
  await storage.close();
});
