/**
 * `/readyz` follows a stalled etcd: with etcd frozen (SIGSTOP) the real
 * server's storage check times out (2 s) and `/readyz` answers 500 with
 * `[-]storage failed: reason withheld` within 3 s, each probe answering
 * promptly; after SIGCONT it is ready again. Needs etcd (`SKIPPED:`
 * otherwise; `HYPERPLANE_REQUIRE_SERVICES=1` turns the skip into a failure).
 *
 * @module
 */

import assert from "node:assert/strict";
import { etcdServerArgs, skipWithoutEtcd, startEtcd } from "./support/etcd.ts";
import { startServer } from "./support/server.ts";

/** The PID of the etcd we started, found by its unique client URL. */
function etcdPid(clientUrl: string): number {
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`);
      if (cmdline.includes(`--listen-client-urls=${clientUrl}\0`)) {
        return Number(entry.name);
      }
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no etcd process listening on ${clientUrl}`);
}

Deno.test("/readyz turns unready within 3 s of a frozen etcd and ready after it thaws", async () => {
  if (skipWithoutEtcd("readyz on a frozen etcd")) return;
  const etcd = await startEtcd();
  let frozen: number | undefined;
  try {
    await using server = await startServer({
      args: [
        ...etcdServerArgs(etcd),
        "--controllers",
        "-*",
      ],
    });
    const probe = async () => {
      const started = performance.now();
      const res = await server.fetch("/readyz?verbose", {
        signal: AbortSignal.timeout(10_000),
      });
      return {
        status: res.status,
        body: await res.text(),
        ms: performance.now() - started,
      };
    };
    assert.equal((await probe()).status, 200);

    frozen = etcdPid(etcd.endpoints[0]);
    Deno.kill(frozen, "SIGSTOP");
    const stoppedAt = performance.now();
    let last = await probe();
    while (last.status === 200 && performance.now() - stoppedAt < 10_000) {
      await new Promise((r) => setTimeout(r, 100));
      last = await probe();
    }
    const unreadyAfter = performance.now() - stoppedAt;
    console.log(
      `unready after ${Math.round(unreadyAfter)} ms (probe took ${
        Math.round(last.ms)
      } ms)`,
    );
    assert.equal(last.status, 500, last.body);
    assert.match(last.body, /^\[-\]storage failed: reason withheld$/m);
    assert.match(last.body, /readyz check failed\n$/);
    assert.ok(unreadyAfter < 3_000, `unready only after ${unreadyAfter} ms`);
    // Probes keep answering within the check timeout, not piling up.
    const during = await Promise.all([probe(), probe(), probe()]);
    for (const p of during) {
      assert.equal(p.status, 500);
      assert.ok(p.ms < 3_000, `a probe took ${p.ms} ms`);
    }
    // /livez does not depend on storage.
    assert.equal((await server.fetch("/livez")).status, 200);

    Deno.kill(frozen, "SIGCONT");
    frozen = undefined;
    const thawedAt = performance.now();
    do {
      await new Promise((r) => setTimeout(r, 200));
      last = await probe();
    } while (last.status !== 200 && performance.now() - thawedAt < 30_000);
    assert.equal(last.status, 200, last.body);
  } finally {
    if (frozen !== undefined) Deno.kill(frozen, "SIGCONT");
    await etcd.stop();
  }
});
