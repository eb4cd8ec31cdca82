/**
 * The spanner backend behind a silent network partition: its gRPC
 * connection stays open but carries nothing, and stays dead after the
 * network heals (a lost route or firewall state). Calls fail with
 * `Unavailable` within their deadline; after the heal the client's
 * keepalive finds the dead connection and every call works again, and other
 * replicas' commits reach this one's tail.
 */
import assert from "node:assert/strict";
import { openSpannerLog, type SpannerLog } from "../backends/spanner/mod.ts";
import { silentLogger } from "../log/mod.ts";
import type { LogEvent } from "../storage/log/mod.ts";
import { BlackholeProxy } from "./support/blackhole_proxy.ts";
import { spannerTestConfig, startSpannerEmulator } from "./support/spanner.ts";
import { allUnavailable, recoversWithin } from "./support/unavailable.ts";
import { eventually } from "./support/controllers.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
const DEADLINE_MS = 1_000;
/**
 * How soon after the heal every call must work again: a bound on behaviour.
 * The keepalive finds a dead connection within 15 s of the partition (a
 * ping every 10 s, answered within 5 s); with the library's own 2-minute
 * ping nothing worked for more than 60 s after the heal.
 */
const RECOVERY_MS = 25_000;

/** How long another replica's commit may take to reach the tail: 5 s. */
const SEEN = { attempts: 250, intervalMs: 20 };

/** A stored value (the log keeps any JSON text). */
function value(name: string): string {
  return `{"name":"${name}"}`;
}

/** A round of parallel gets and a create; the number that failed. */
async function round(log: SpannerLog, tag: string): Promise<number> {
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 6; i++) calls.push(log.get(`${PREFIX}warm-${i % 2}`));
  calls.push(log.create(`${PREFIX}${tag}`, value(tag)));
  const outcomes = await Promise.allSettled(calls);
  return outcomes.filter((o) => o.status === "rejected").length;
}

Deno.test("spanner behind a silent network partition recovers once it heals", async () => {
  const emu = await startSpannerEmulator();
  if (!emu) return;
  const proxy = new BlackholeProxy(Number(emu.host.split(":")[1]));
  let near: SpannerLog | undefined;
  let far: SpannerLog | undefined;
  try {
    near = await openSpannerLog(
      spannerTestConfig({ host: `127.0.0.1:${proxy.port}` }, "partition-db"),
      { logger: silentLogger, retentionMs: 0, requestTimeoutMs: DEADLINE_MS },
    );
    far = await openSpannerLog(spannerTestConfig(emu, "partition-db"), {
      logger: silentLogger,
      retentionMs: 0,
    });
    const seen = new Set<string>();
    near.subscribe((events: LogEvent[]) => {
      for (const e of events) seen.add(e.key);
    });
    for (let i = 0; i < 2; i++) {
      await near.create(`${PREFIX}warm-${i}`, value(`warm-${i}`));
    }
    assert.equal(await round(near, "before"), 0);
    await far.create(`${PREFIX}far-before`, value("far-before"));
    await eventually(() => seen.has(`${PREFIX}far-before`), "far-before", SEEN);

    proxy.partition();
    await allUnavailable(
      [near.get(`${PREFIX}warm-0`), near.create(`${PREFIX}during`, "{}")],
      /did not answer within 1s/,
    );
    await new Promise((r) => setTimeout(r, 1_000));

    proxy.heal();
    await recoversWithin((n) => round(near!, `after-${n}`), RECOVERY_MS);
    await far.create(`${PREFIX}far-after`, value("far-after"));
    await eventually(() => seen.has(`${PREFIX}far-after`), "far-after", SEEN);
  } finally {
    await near?.close();
    await far?.close();
    proxy.close();
    await emu.stop();
  }
});
