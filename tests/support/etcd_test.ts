import assert from "node:assert/strict";
import { skipWithoutEtcd, startEtcd } from "./etcd.ts";

Deno.test("a one-member etcd starts healthy, restarts on the same port and stops", async () => {
  if (skipWithoutEtcd("etcd support test")) return;
  const etcd = await startEtcd();
  try {
    assert.equal(etcd.endpoints.length, 1);
    assert.equal(await etcd.leaderIndex(), 0);
    await etcd.members[0].stop();
    assert.equal(etcd.members[0].running, false);
    await etcd.members[0].start();
    const res = await fetch(`${etcd.endpoints[0]}/health`);
    assert.match(await res.text(), /"health":"true"/);
  } finally {
    await etcd.stop();
  }
});
