/**
 * The postgres backend against the raw `postgres` driver on the same server,
 * in the same run: raw `INSERT` of one row vs store `create` (one statement:
 * precondition check, revision allocation, live row, history row, NOTIFY) and
 * raw `SELECT` by primary key vs store `get`, with 1 and 32 requests in
 * flight. Each group's baseline is the raw client (same driver, same pool
 * size), so `deno bench` prints the store's ratio. Target: the store reaches
 * at least 70% of raw throughput.
 *
 * Starts its own PostgreSQL 15 (`tests/support/postgres.ts`) and kills it on
 * exit. Without PostgreSQL it prints `SKIPPED: …`. The server runs with the
 * tests' settings (`fsync=off`: commits reach the OS, not the disk) unless
 * `--durable` is given: then with PostgreSQL's production defaults (`fsync`
 * and `full_page_writes` on), where every commit, raw or store, waits for
 * its WAL flush as a deployed database does.
 *
 * Run: `deno bench -A bench/postgres_store_bench.ts` (or `deno task bench`).
 * On a busy machine the two sides of a group run seconds apart under
 * different load; `deno run -A bench/postgres_store_bench.ts --interleaved`
 * alternates raw and store rounds instead (after one untimed round each, 9
 * rounds of 320 operations each, medians; `--rounds=N` for more) and prints the ratios, with the CPU time
 * per operation of this process and of the server's backends (less
 * sensitive to the machine's load than the rates; the server's from
 * `/proc/<pid>/schedstat`, in nanoseconds).
 *
 * @module
 */

import postgres from "postgres";
import { silentLogger } from "../log/mod.ts";
import { postgresBackend } from "../backends/postgres/mod.ts";
import { startPostgres } from "../tests/support/postgres.ts";
import { ownCpuMicros, postgresPid } from "./_cpu.ts";
import {
  BENCH_VALUE,
  benchConfigMap,
  benchStoreVsRaw,
  storeKey,
} from "./_store_vs_raw.ts";

const GET_KEYS = 1000;
const POOL = 32;

const DURABLE = Deno.args.includes("--durable");
const pg = await startPostgres(
  DURABLE ? { settings: { fsync: "on", full_page_writes: "on" } } : {},
);
if (pg) {
  console.log(
    DURABLE
      ? "postgres: production durability (fsync=on, full_page_writes=on)"
      : "postgres: test settings (fsync=off); --durable for production defaults",
  );
}
if (pg) {
  const raw = postgres({
    host: "127.0.0.1",
    port: pg.port,
    database: "postgres",
    username: "hyperplane",
    password: pg.password,
    max: POOL,
    onnotice: () => {},
  });
  await raw.unsafe(
    `CREATE TABLE raw_kv (key text COLLATE "C" PRIMARY KEY, value text NOT NULL)`,
  );
  const factory = await postgresBackend().open({
    "postgres-url": pg.url,
    "postgres-password-file": pg.passwordFile,
    "postgres-sslmode": "disable",
    "postgres-pool-size": String(POOL),
    "postgres-compaction-interval": "0",
  }, { dataDir: "/nonexistent", logger: silentLogger });
  const store = factory.storeFor({ resource: "configmaps" });
  globalThis.addEventListener("unload", () => {
    pg.killNow();
  });

  for (let i = 0; i < GET_KEYS; i++) {
    await raw.unsafe(`INSERT INTO raw_kv VALUES ($1, $2)`, [
      `/raw/get/obj-${i}`,
      BENCH_VALUE,
    ], { prepare: true });
    await store.create(storeKey("get", i), benchConfigMap(`obj-${i}`));
  }

  let rawN = 0;
  let storeN = 0;
  let getN = 0;
  const rawCreate = () =>
    raw.unsafe(`INSERT INTO raw_kv VALUES ($1, $2)`, [
      `/raw/create/obj-${rawN++}`,
      BENCH_VALUE,
    ], { prepare: true });
  const sample = benchConfigMap("sample");
  const storeCreate = () => store.create(storeKey("create", storeN++), sample);
  const rawGet = () =>
    raw.unsafe(`SELECT value FROM raw_kv WHERE key = $1`, [
      `/raw/get/obj-${getN++ % GET_KEYS}`,
    ], { prepare: true }).then((rows) => JSON.parse(rows[0].value));
  const storeGet = () => store.get(storeKey("get", getN++ % GET_KEYS));

  if (Deno.args.includes("--interleaved")) {
    await interleaved(
      { rawCreate, storeCreate, rawGet, storeGet },
      postgresPid(pg.port),
    );
    await raw.end();
    await factory.close();
    await pg.stop();
  } else {
    benchStoreVsRaw(
      {
        raw: "raw postgres",
        rawCreate: "INSERT",
        rawGet: "SELECT",
        store: "postgres store",
      },
      { rawCreate, storeCreate, rawGet, storeGet },
    );
  }
}

/**
 * Alternates raw and store rounds; prints medians and ratios, and the CPU
 * time per operation of this process (driver, store) and of the server's
 * backends (`server`, when its PID is known): on a busy machine the rates
 * swing with other people's load, the CPU cost much less.
 */
async function interleaved(
  ops: Record<
    "rawCreate" | "storeCreate" | "rawGet" | "storeGet",
    () => Promise<unknown>
  >,
  serverPid: number | undefined,
): Promise<void> {
  const serverCpu = () =>
    serverPid === undefined ? 0 : childrenRunMicros(serverPid);
  const rounds = Number(
    Deno.args.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 9,
  );
  /** CPU µs per operation, summed over a side's rounds. */
  type Cpu = { client: number; server: number; rounds: number };
  const round = async (
    op: () => Promise<unknown>,
    inFlight: number,
    cpu: Cpu,
  ) => {
    let left = 320;
    const [c0, s0] = [ownCpuMicros(), serverCpu()];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (left-- > 0) await op();
      }),
    );
    const rate = 320 / ((performance.now() - start) / 1000);
    cpu.client += (ownCpuMicros() - c0) / 320;
    cpu.server += (serverCpu() - s0) / 320;
    cpu.rounds++;
    return rate;
  };
  const show = (c: Cpu) =>
    `${(c.client / c.rounds).toFixed(0)}+${
      (c.server / c.rounds).toFixed(0)
    } µs`;
  const median = (xs: number[]) =>
    [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const n of [1, 32]) {
    for (
      const [what, rawOp, storeOp] of [
        ["create", ops.rawCreate, ops.storeCreate],
        ["get", ops.rawGet, ops.storeGet],
      ] as const
    ) {
      const raws: number[] = [];
      const stores: number[] = [];
      const rawCpu: Cpu = { client: 0, server: 0, rounds: 0 };
      const storeCpu: Cpu = { client: 0, server: 0, rounds: 0 };
      // One untimed round per side first: at 32 in flight a pool opens
      // its other connections then (authentication and a new server
      // process each, hundreds of ms in all), which is not the cost of an
      // operation. The store's group commit needs only two or three
      // connections, so without this its first get round at 32 paid for
      // them, and raw's first create round at 32 for its own.
      const warmUp: Cpu = { client: 0, server: 0, rounds: 0 };
      await round(rawOp, n, warmUp);
      await round(storeOp, n, warmUp);
      for (let i = 0; i < rounds; i++) {
        raws.push(await round(rawOp, n, rawCpu));
        stores.push(await round(storeOp, n, storeCpu));
      }
      const r = median(raws);
      const st = median(stores);
      const cpuRatio = (rawCpu.client + rawCpu.server) /
        (storeCpu.client + storeCpu.server);
      console.log(
        `${what}, ${n} in flight: raw ${r.toFixed(0)}/s, store ${
          st.toFixed(0)
        }/s, store/raw ${(st / r * 100).toFixed(0)}%; CPU/op ` +
          `(client+server) raw ${show(rawCpu)}, store ${
            show(storeCpu)
          }, raw/store ${(cpuRatio * 100).toFixed(0)}%`,
      );
    }
  }
}

/**
 * CPU time (µs) used so far by the live children of `pid` (the server's
 * backends), from `/proc/<pid>/schedstat` (nanoseconds: `/proc/<pid>/stat`
 * counts 10 ms ticks, too coarse for rounds of a few tens of ms).
 */
function childrenRunMicros(pid: number): number {
  let ns = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // After the command name (which may hold spaces): ppid is field 4.
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      if (Number(ppid) !== pid) continue;
      const sched = Deno.readTextFileSync(`/proc/${entry.name}/schedstat`);
      ns += Number(sched.split(" ")[0]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ns / 1000;
}
