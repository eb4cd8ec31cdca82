import assert from "node:assert/strict";
import { silentLogger } from "../log/mod.ts";
import { isStorageError } from "../storage/mod.ts";
import { openEtcd, parseEtcdConfig } from "../backends/etcd/mod.ts";
import { freePort } from "./support/etcd.ts";

Deno.test("unreachable --etcd-servers fail with Unavailable within the connect deadline", async () => {
  // Nothing listens on this port: connections are refused.
  const { config } = parseEtcdConfig({
    "etcd-servers": `http://127.0.0.1:${freePort()}`,
  });
  const started = Date.now();
  await assert.rejects(
    openEtcd(config!, { logger: silentLogger, connectTimeoutMs: 2000 }),
    (e) =>
      isStorageError(e, "Unavailable") && /cannot reach etcd/.test(e.message),
  );
  // Bounded: well under a minute even with slow machines (not a timing assertion on speed).
  assert.ok(Date.now() - started < 60_000);
});

Deno.test("a black-holed etcd address fails with Unavailable instead of hanging", async () => {
  // 192.0.2.0/24 is TEST-NET-1: packets go nowhere, so only deadlines end the wait.
  const { config } = parseEtcdConfig({
    "etcd-servers": "http://192.0.2.1:2379",
  });
  await assert.rejects(
    openEtcd(config!, { logger: silentLogger, connectTimeoutMs: 2000 }),
    (e) => isStorageError(e, "Unavailable"),
  );
});
