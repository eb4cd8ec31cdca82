/**
 * The postgres backend across restarts and outages: reopening keeps every
 * object, its revisions and the history order; a crash of PostgreSQL itself
 * gives clear `Unavailable` errors and the backend recovers when it returns
 * (writes, watches and LISTEN, with nothing missed); a dropped LISTEN
 * connection is re-established with a catch-up read.
 */
import assert from "node:assert/strict";
import {
  openPostgresStoreFactory,
  type PostgresStoreFactoryOptions,
} from "../backends/postgres/mod.ts";
import { silentLogger } from "../log/mod.ts";
import {
  isStorageError,
  type KubeObject,
  type StoreFactory,
  type WatchEvent,
} from "../storage/mod.ts";
import {
  type PostgresServer,
  postgresTestConfig,
  startPostgres,
} from "./support/postgres.ts";
import { allUnavailable } from "./support/unavailable.ts";

const ref = { resource: "configmaps" };
const PREFIX = "/registry/configmaps/clusters/root/default/";
/**
 * How soon after PostgreSQL's return the backend must work again: a bound
 * on behaviour (the driver's default reconnect delay reaches 10–20 s), not
 * a performance figure.
 */
const RECOVERY_MS = 5_000;

function open(
  pg: PostgresServer,
  schema = "hyperplane",
  opts: PostgresStoreFactoryOptions = {},
): Promise<StoreFactory> {
  return openPostgresStoreFactory(
    postgresTestConfig(pg, { "postgres-schema": schema }),
    { logger: silentLogger, ...opts },
  );
}

function cm(name: string, v: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
    data: { v },
  };
}

/** The next watch event, or a failure after `ms`. */
async function next(
  it: AsyncIterator<WatchEvent>,
  ms = 20_000,
): Promise<WatchEvent> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const r = await Promise.race([
      it.next(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no event in ${ms} ms`)), ms);
      }),
    ]);
    if (r.done) throw new Error("watch ended");
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** Retries `fn` until it succeeds or `ms` pass; returns its result. */
async function eventually<T>(fn: () => Promise<T>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

Deno.test("postgres restarts and outages", async (t) => {
  const pg = await startPostgres();
  if (!pg) return;
  try {
    await t.step(
      "reopening keeps objects, revisions and history order",
      async () => {
        const first = await open(pg, "restart");
        const store = first.storeFor(ref);
        const written: KubeObject[] = [];
        for (let i = 0; i < 10; i++) {
          written.push(await store.create(`${PREFIX}o${i}`, cm(`o${i}`, "1")));
        }
        for (let i = 0; i < 10; i += 2) {
          await store.guaranteedUpdate(`${PREFIX}o${i}`, {
            tryUpdate: (cur) => ({ ...cur!, data: { v: "2" } }),
          });
        }
        await store.delete(`${PREFIX}o9`);
        const before = await store.list(PREFIX, { recursive: true });
        let revBefore = await first.currentRevision();
        await first.close();

        // Twice: a clean reopen, then after PostgreSQL itself crashed.
        for (const crash of [false, true]) {
          if (crash) {
            await pg.kill();
            await pg.start();
          }
          const again = await open(pg, "restart");
          try {
            const s = again.storeFor(ref);
            const after = await s.list(PREFIX, { recursive: true });
            assert.deepEqual(after.items, before.items);
            assert.equal(await again.currentRevision(), revBefore);
            // The history replays in the same order from the first revision.
            const w = await s.watch(PREFIX, {
              recursive: true,
              resourceVersion: written[0].metadata.resourceVersion,
            });
            const it = w[Symbol.asyncIterator]();
            const types = [];
            for (let i = 0; i < 15; i++) types.push((await next(it)).type);
            w.stop();
            assert.deepEqual(types, [
              ...Array(9).fill("ADDED"),
              ...Array(5).fill("MODIFIED"),
              "DELETED",
            ]);
            const probe = await s.create(
              `${PREFIX}probe-${crash}`,
              cm("p", "1"),
            );
            assert.ok(Number(probe.metadata.resourceVersion) > revBefore);
            await s.delete(`${PREFIX}probe-${crash}`);
            revBefore = await again.currentRevision();
          } finally {
            await again.close();
          }
        }
      },
    );

    await t.step(
      "killing PostgreSQL gives clear errors, and the backend recovers when it returns",
      async () => {
        const a = await open(pg, "outage");
        const b = await open(pg, "outage");
        try {
          const storeA = a.storeFor(ref);
          const storeB = b.storeFor(ref);
          const w = await storeA.watch(PREFIX, {
            recursive: true,
            resourceVersion: String(await a.currentRevision()),
          });
          const it = w[Symbol.asyncIterator]();
          const c1 = await storeB.create(`${PREFIX}before`, cm("before", "1"));
          assert.equal((await next(it)).type, "ADDED");

          await pg.kill();
          const err = await storeA.create(`${PREFIX}during`, cm("during", "1"))
            .then(() => undefined, (e) => e);
          assert.ok(isStorageError(err, "Unavailable"), String(err));
          assert.match(
            err.message,
            /postgres: 127\.0\.0\.1:\d+\/postgres is not reachable/,
          );
          const notReady = await a.readiness().then(() => undefined, (e) => e);
          assert.ok(isStorageError(notReady, "Unavailable"), String(notReady));
          console.log(`while PostgreSQL is down: ${err.message}`);

          await pg.start();
          await eventually(() => a.readiness());
          // B writes after the restart; A's watch (its LISTEN re-established
          // with a catch-up read) gets it without A writing anything itself.
          const c2 = await eventually(() =>
            storeB.create(`${PREFIX}after`, cm("after", "1"))
          );
          const ev = await next(it);
          assert.equal(ev.type, "ADDED");
          assert.deepEqual("object" in ev && ev.object, c2);
          assert.ok(
            Number(c2.metadata.resourceVersion) >
              Number(c1.metadata.resourceVersion),
          );
          const mine = await storeA.create(`${PREFIX}mine`, cm("mine", "1"));
          assert.deepEqual("object" in (await next(it)) && mine, mine);
          w.stop();
        } finally {
          await a.close();
          await b.close();
        }
      },
    );

    await t.step(
      "a dropped LISTEN connection is re-established and nothing is missed",
      async () => {
        const a = await open(pg, "relisten");
        const b = await open(pg, "relisten");
        const admin = await open(pg, "relisten");
        try {
          const w = await a.storeFor(ref).watch(PREFIX, {
            recursive: true,
            resourceVersion: String(await a.currentRevision()),
          });
          const it = w[Symbol.asyncIterator]();
          // Terminate every LISTEN backend (A's and B's), then write at once.
          const killer = await import("postgres");
          const sql = killer.default({
            host: "127.0.0.1",
            port: pg.port,
            username: "hyperplane",
            password: pg.password,
            database: "postgres",
            max: 1,
            onnotice: () => {},
          });
          try {
            // Every replica registers its LISTEN connection with its pid.
            const deadline = Date.now() + 10_000;
            while (
              (await sql`SELECT 1 FROM relisten.listeners`).length < 3 &&
              Date.now() < deadline
            ) await new Promise((r) => setTimeout(r, 50));
            const killed = await sql`SELECT pg_terminate_backend(pid)
              FROM relisten.listeners`;
            assert.ok(killed.length >= 2, `terminated ${killed.length}`);
          } finally {
            await sql.end();
          }
          const names = ["x1", "x2", "x3"];
          for (const n of names) {
            await b.storeFor(ref).create(`${PREFIX}${n}`, cm(n, "1"));
          }
          const got = [];
          for (let i = 0; i < names.length; i++) {
            const ev = await next(it);
            got.push("object" in ev ? ev.object.metadata.name : ev.type);
          }
          assert.deepEqual(got, names);
          w.stop();
        } finally {
          await a.close();
          await b.close();
          await admin.close();
        }
      },
    );

    await t.step(
      "after an outage full of failed requests, the backend is ready and writes within seconds of PostgreSQL's return",
      async () => {
        // Each failed connection lengthens the driver's reconnect delay; its
        // default grows to 20 s, so requests waited that long for a
        // connection after PostgreSQL was back. Ours stops at 1 s.
        const a = await open(pg, "recovery");
        try {
          const store = a.storeFor(ref);
          await store.create(`${PREFIX}first`, cm("first", "1"));
          await pg.kill();
          const down = Date.now() + 4_000;
          for (let i = 0; Date.now() < down; i++) {
            const err = await store.create(`${PREFIX}down-${i}`, cm("d", "1"))
              .then(() => undefined, (e) => e);
            assert.ok(isStorageError(err, "Unavailable"), String(err));
            await new Promise((r) => setTimeout(r, 20));
          }
          await pg.start();
          const back = Date.now();
          await eventually(() => a.readiness(), RECOVERY_MS);
          await eventually(
            () =>
              Promise.all(
                [...Array(8).keys()].map((i) =>
                  store.create(`${PREFIX}back-${i}`, cm("b", "1"))
                ),
              ),
            RECOVERY_MS,
          );
          const took = Date.now() - back;
          console.log(
            `ready and 8 writes ${took} ms after PostgreSQL's return`,
          );
          assert.ok(took < RECOVERY_MS, `${took} ms`);
        } finally {
          await a.close();
        }
      },
    );

    await t.step(
      "a PostgreSQL that stops answering gives Unavailable within the deadline, and the backend works on when it answers again",
      async () => {
        const a = await open(pg, "frozen", { requestTimeoutMs: 1_000 });
        try {
          const store = a.storeFor(ref);
          await store.create(`${PREFIX}before`, cm("before", "1"));
          pg.pause();
          try {
            const { errors, ms } = await allUnavailable([
              store.create(`${PREFIX}during`, cm("during", "1")),
              store.get(`${PREFIX}before`),
              a.readiness(),
            ], /postgres: 127\.0\.0\.1:\d+\/postgres did not answer within 1s/);
            console.log(`while PostgreSQL is frozen: ${errors[0].message}`);
            assert.ok(ms < 5_000, `${ms} ms`);
          } finally {
            pg.resume();
          }
          await eventually(() => a.readiness());
          const after = await eventually(() =>
            store.create(`${PREFIX}after`, cm("after", "1"))
          );
          assert.equal(
            (await store.get(`${PREFIX}after`)).metadata.resourceVersion,
            after.metadata.resourceVersion,
          );
        } finally {
          await a.close();
        }
      },
    );
  } finally {
    await pg.stop();
  }
});
