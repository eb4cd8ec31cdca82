/**
 * The postgres backend behind a silent network partition: the connections
 * it had stay open but carry nothing, and stay dead after the network heals
 * (a lost route or firewall state). Requests fail with `Unavailable` within
 * their deadline; once the network is back, every request works again
 * within a few deadlines — no query waits on a dead connection — and
 * another replica's commits reach this one's watchers through a new
 * `LISTEN` connection, not the slow safety poll.
 */
import assert from "node:assert/strict";
import {
  openPostgresLog,
  type PostgresLog,
} from "../backends/postgres/postgres_log.ts";
import { silentLogger } from "../log/mod.ts";
import type { LogEvent } from "../storage/log/mod.ts";
import { BlackholeProxy } from "./support/blackhole_proxy.ts";
import { postgresTestConfig, startPostgres } from "./support/postgres.ts";
import { allUnavailable, recoversWithin } from "./support/unavailable.ts";
import { eventually } from "./support/controllers.ts";

const PREFIX = "/registry/configmaps/clusters/root/default/";
/** The request deadline of the replica behind the proxy. */
const DEADLINE_MS = 1_000;
/**
 * How soon after the heal everything must work again: a bound on
 * behaviour (without the fix, dead connections stay in the pool and the
 * `LISTEN` connection stays deaf until TCP gives up, for many minutes).
 */
const RECOVERY_MS = 8_000;
/** Parallel requests per round: more than the pool's connections. */
const WIDTH = 12;

/** How long another replica's commit may take to reach the tail: 5 s. */
const SEEN = { attempts: 250, intervalMs: 20 };

function value(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
  });
}

/** A round of parallel gets and creates; the number that failed. */
async function round(log: PostgresLog, tag: string): Promise<number> {
  const calls = [];
  for (let i = 0; i < WIDTH; i++) {
    calls.push(log.get(`${PREFIX}warm-${i % 4}`));
    if (i % 3 === 0) {
      calls.push(log.create(`${PREFIX}${tag}-${i}`, value(`${tag}-${i}`)));
    }
  }
  const outcomes = await Promise.allSettled(calls);
  return outcomes.filter((o) => o.status === "rejected").length;
}

Deno.test("postgres behind a silent network partition recovers once it heals", async () => {
  const pg = await startPostgres();
  if (!pg) return;
  const proxy = new BlackholeProxy(pg.port);
  let near: PostgresLog | undefined;
  let far: PostgresLog | undefined;
  try {
    const url = pg.url.replace(`:${pg.port}/`, `:${proxy.port}/`);
    near = await openPostgresLog(
      postgresTestConfig(
        { url, passwordFile: pg.passwordFile },
        { "postgres-pool-size": "4" },
      ),
      {
        logger: silentLogger,
        requestTimeoutMs: DEADLINE_MS,
        // Far longer than the test: other replicas' commits must come
        // through LISTEN.
        safetyPollMs: 600_000,
        listenCheckMs: 300,
      },
    );
    far = await openPostgresLog(postgresTestConfig(pg), {
      logger: silentLogger,
    });
    const seen = new Set<string>();
    near.subscribe((events: LogEvent[]) => {
      for (const e of events) seen.add(e.key);
    });
    for (let i = 0; i < 4; i++) {
      await near.create(`${PREFIX}warm-${i}`, value(`warm-${i}`));
    }
    // Every connection of the pool in use before the partition.
    for (let i = 0; i < 3; i++) assert.equal(await round(near, `w${i}`), 0);
    await far.create(`${PREFIX}far-before`, value("far-before"));
    await eventually(() => seen.has(`${PREFIX}far-before`), "far-before", SEEN);

    proxy.partition();
    const during = [];
    for (let i = 0; i < WIDTH; i++) {
      during.push(near.get(`${PREFIX}warm-${i % 4}`));
    }
    during.push(near.create(`${PREFIX}during`, value("during")));
    const { ms } = await allUnavailable(during, /did not answer within 1s/);
    assert.ok(ms < DEADLINE_MS + 2_000, `failed after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 1_500));

    proxy.heal();
    await recoversWithin((n) => round(near!, `h${n}`), RECOVERY_MS);
    // Another replica's commit comes through a new LISTEN connection (the
    // safety poll, 600 s, cannot bring it in time).
    await far.create(`${PREFIX}far-after`, value("far-after"));
    await eventually(() => seen.has(`${PREFIX}far-after`), "far-after", SEEN);
  } finally {
    await near?.close();
    await far?.close();
    proxy.close();
    await pg.stop();
  }
});
