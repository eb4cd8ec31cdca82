/**
 * A `hyperplane server` on etcd or PostgreSQL under API load while the
 * storage service is killed (SIGKILL) and started again, over and over: the
 * server must survive every outage, answer meanwhile with clear errors
 * (`503`, never a dropped process), keep every acknowledged write, and be
 * ready again once the service is back. A load generator, not a test: it
 * prints what it saw and exits non-zero when the server died, did not
 * recover, or lost an acknowledged write.
 *
 * The load: 6 writers, each updating its own 10 ConfigMaps with a growing
 * counter (create, then `PUT`), creating and deleting a namespace now and
 * then and a ConfigMap whose owner does not exist (the garbage collector's
 * work), plus two watchers of all ConfigMaps, restarted as they end. At the
 * end every ConfigMap must hold its writer's last acknowledged counter or a
 * later one (a write that failed may still have committed).
 *
 * Run: `deno run -A bench/store_outage_soak.ts [etcd|postgres]
 * [--seconds=120] [--max-gap-ms=1500] [--fault=kill|partition]` (default:
 * both, one after the other). `--max-gap-ms` bounds the random time the
 * service stays up between outages; a small gap (200) hits the moment
 * connections are being opened again. `--fault=partition` cuts the network
 * silently instead of killing the service: the server reaches it through a
 * proxy (`tests/support/blackhole_proxy.ts`) whose connections carry nothing
 * during an outage and stay dead after it (a lost route or firewall state).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { startServer, type TestServer } from "../tests/support/server.ts";
import { postgresMissing, startPostgres } from "../tests/support/postgres.ts";
import { etcdBinary, startEtcd } from "../tests/support/etcd.ts";
import { BlackholeProxy } from "../tests/support/blackhole_proxy.ts";

const args = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "120" },
    "max-gap-ms": { type: "string", default: "1500" },
    fault: { type: "string", default: "kill" },
  },
  allowPositionals: true,
});
const SECONDS = Number(args.values.seconds);
const MAX_GAP_MS = Number(args.values["max-gap-ms"]);
const FAULT = args.values.fault;
if (FAULT !== "kill" && FAULT !== "partition") {
  console.error(`--fault: ${FAULT} is neither kill nor partition`);
  Deno.exit(2);
}
const WRITERS = 6;
const KEYS = 10;

/** A storage service the soak can crash (or cut off) and start again. */
interface Service {
  serverArgs: string[];
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * With `--fault=partition`: `service` reached through a blackhole proxy in
 * front of `port`, its outages partitions of the proxy; `args` gets the
 * proxy's port instead.
 */
function behindProxy(
  service: Service,
  port: number,
  args: (port: number) => string[],
): Service {
  if (FAULT === "kill") return { ...service, serverArgs: args(port) };
  const proxy = new BlackholeProxy(port);
  return {
    serverArgs: args(proxy.port),
    kill: () => Promise.resolve(proxy.partition()),
    start: () => Promise.resolve(proxy.heal()),
    stop: async () => {
      proxy.close();
      await service.stop();
    },
  };
}

async function postgresService(): Promise<Service | string> {
  const missing = postgresMissing();
  if (missing) return missing;
  const pg = await startPostgres();
  if (!pg) return "PostgreSQL did not start";
  const db = await pg.createDatabase("soak");
  return behindProxy(
    {
      serverArgs: [],
      kill: () => pg.kill(),
      start: () => pg.start(),
      stop: () => pg.stop(),
    },
    pg.port,
    (port) => [
      "--storage-backend=postgres",
      `--postgres-url=${db.replace(`:${pg.port}/`, `:${port}/`)}`,
      `--postgres-password-file=${pg.passwordFile}`,
      "--postgres-sslmode=disable",
    ],
  );
}

async function etcdService(): Promise<Service | string> {
  if (!etcdBinary()) return "etcd not installed";
  const etcd = await startEtcd();
  const member = etcd.members[0];
  return behindProxy(
    {
      serverArgs: [],
      kill: () => member.stop({ hard: true }),
      start: () => member.start(),
      stop: () => etcd.stop(),
    },
    Number(new URL(member.clientUrl).port),
    (port) => [
      "--storage-backend=etcd",
      `--etcd-servers=http://127.0.0.1:${port}`,
    ],
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while the server's process runs (not exited, not a zombie). */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function send(
  s: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body?: Record<string, unknown> }> {
  const res = await s.fetch(path, {
    method,
    ...(body === undefined ? {} : {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text.startsWith("{") ? JSON.parse(text) : undefined,
  };
}

async function soak(name: string, service: Service): Promise<boolean> {
  const s = await startServer({ args: service.serverArgs });
  const pid = s.pid;
  const statuses = new Map<string, number>();
  const count = (what: string) =>
    statuses.set(what, (statuses.get(what) ?? 0) + 1);
  const acked = new Map<string, number>();
  let stop = false;
  const CMS = "/api/v1/namespaces/soak/configmaps";
  try {
    for (;;) {
      const r = await send(s, "POST", "/api/v1/namespaces", {
        metadata: { name: "soak" },
      });
      if (r.status === 201) break;
      await sleep(100);
    }
    const writer = async (w: number) => {
      for (let i = 0; !stop && alive(pid); i++) {
        const name = `w${w}-${i % KEYS}`;
        try {
          const data = { n: String(i) };
          let r = await send(s, "PUT", `${CMS}/${name}`, {
            metadata: { name },
            data,
          });
          if (r.status === 404) {
            r = await send(s, "POST", CMS, { metadata: { name }, data });
          }
          count(String(r.status));
          if (r.status === 200 || r.status === 201) acked.set(name, i);
          if (i % 13 === 0) {
            const orphan = await send(s, "POST", CMS, {
              metadata: {
                generateName: "orphan-",
                ownerReferences: [{
                  apiVersion: "v1",
                  kind: "ConfigMap",
                  name: "gone",
                  uid: crypto.randomUUID(),
                }],
              },
            });
            count(String(orphan.status));
          }
          if (i % 29 === 0) {
            const ns = `soak-${w}-${i}`;
            count(
              String(
                (await send(s, "POST", "/api/v1/namespaces", {
                  metadata: { name: ns },
                })).status,
              ),
            );
            count(
              String(
                (await send(s, "DELETE", `/api/v1/namespaces/${ns}`)).status,
              ),
            );
          }
          if (r.status >= 500) await sleep(50);
        } catch {
          count("connection error");
          await sleep(50);
        }
      }
    };
    const watcher = async () => {
      while (!stop && alive(pid)) {
        try {
          const res = await s.fetch(
            "/api/v1/configmaps?watch=1&timeoutSeconds=5",
          );
          count(`watch ${res.status}`);
          if (res.status === 200) {
            await res.text(); // the events, until the watch times out or breaks
          } else {
            await res.body?.cancel();
            await sleep(100);
          }
        } catch {
          count("watch connection error");
          await sleep(100);
        }
      }
    };
    const load = [
      ...[...Array(WRITERS).keys()].map(writer),
      watcher(),
      watcher(),
    ];
    let kills = 0;
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end && alive(pid)) {
      await sleep(Math.random() * MAX_GAP_MS);
      await service.kill();
      kills++;
      await sleep(Math.random() * 500);
      await service.start();
    }
    const back = Date.now();
    let readyMs: number | undefined;
    let writeMs: number | undefined;
    while (Date.now() - back < 60_000 && alive(pid)) {
      const r = await send(s, "GET", "/readyz").catch(() => undefined);
      if (r?.status === 200 && readyMs === undefined) {
        readyMs = Date.now() - back;
      }
      if (readyMs !== undefined) {
        const w = await send(s, "POST", CMS, {
          metadata: { generateName: "after-" },
        }).catch(() => undefined);
        if (w?.status === 201) {
          writeMs = Date.now() - back;
          break;
        }
      }
      await sleep(50);
    }
    stop = true;
    await Promise.all(load);
    let lost = 0;
    if (alive(pid)) {
      for (const [cm, n] of acked) {
        const r = await send(s, "GET", `${CMS}/${cm}`);
        const got = Number((r.body?.data as { n?: string } | undefined)?.n);
        if (r.status !== 200 || !(got >= n)) {
          lost++;
          console.log(
            `  lost: ${cm} acknowledged ${n}, read ${r.status} ${got}`,
          );
        }
      }
    }
    const ok = alive(pid) && writeMs !== undefined && lost === 0;
    console.log(`${name}: ${ok ? "survived" : "FAILED"}`);
    console.log(`  outages (${FAULT}): ${kills} in ${SECONDS} s`);
    console.log(`  server process: ${alive(pid) ? "running" : "ended"}`);
    console.log(
      `  after the last ${
        FAULT === "kill" ? "restart" : "heal"
      } of ${name}: /readyz in ${readyMs ?? "—"} ms, a write in ${
        writeMs ?? "—"
      } ms`,
    );
    console.log(
      `  acknowledged ConfigMaps checked: ${acked.size}, lost: ${lost}`,
    );
    console.log(
      `  answers: ${
        [...statuses].sort().map(([k, v]) => `${k} ×${v}`).join(", ")
      }`,
    );
    if (!alive(pid)) console.log(s.stderrTail());
    else if (readyMs === undefined) {
      const r = await s.fetch("/readyz?verbose");
      console.log(`  /readyz?verbose: ${r.status}\n${await r.text()}`);
      const g = await send(s, "GET", `${CMS}/w0-0`);
      console.log(`  a GET: ${g.status} ${g.body?.message ?? ""}`);
    }
    return ok;
  } finally {
    stop = true;
    await s.stop();
  }
}

const wanted = args.positionals.length > 0
  ? args.positionals
  : ["etcd", "postgres"];
let failed = false;
for (const name of wanted) {
  const service = name === "etcd"
    ? await etcdService()
    : name === "postgres"
    ? await postgresService()
    : `unknown backend ${JSON.stringify(name)} (etcd or postgres)`;
  if (typeof service === "string") {
    console.log(`${name}: SKIPPED: ${service}`);
    failed = true;
    continue;
  }
  try {
    if (!(await soak(name, service))) failed = true;
  } finally {
    await service.stop();
  }
}
if (failed) Deno.exit(1);
