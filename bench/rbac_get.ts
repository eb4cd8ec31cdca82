/**
 * The cost of an RBAC-authorized GET, run with `deno task bench:rbac`.
 * The issue's target: an authorized GET costs at most 10% over the path
 * that checks nothing (a `system:masters` caller, which RBAC lets through
 * before any lookup — the request path as it was before RBAC).
 *
 * Two measurements, each against its baseline in the same run:
 *
 * - **HTTP**: a real `hyperplane server` on SQLite (temp data dir); one
 *   ConfigMap with a 1 KiB value, read with `wrk -t2 -c64 -d10s` by three
 *   callers: the admin (static token, `system:masters`: the baseline), a
 *   static-token user granted `get` on configmaps by a Role and RoleBinding
 *   (the RBAC lookup alone), and a ServiceAccount granted by the same
 *   binding (a TokenRequest token: JWT verification and the service
 *   account's lookup, then the RBAC lookup). Admin and user run back to
 *   back in alternating order, the service account last in each round;
 *   each round's ratios compare neighbours. Then 8 pairs of 2 s runs of
 *   admin and user alone, alternating order (the finer comparison).
 * - **in process**: `authorize(attrs)` of an `RbacAuthorizer` over 100
 *   clusters × (bootstrap policy + 200 RoleBindings) against
 *   `defaultAuthorizer()` deciding the same attributes, in alternating
 *   rounds; nanoseconds per decision.
 *
 * Prints a Markdown table; no assertion (figures vary with the machine).
 * Bounded: every request has a timeout, wrk runs a fixed time, and a
 * watchdog (`BENCH_TIMEOUT_MS`, default 175 s) stops everything.
 *
 * Environment: `BENCH_DURATION_MS` (per wrk run, default 10000),
 * `BENCH_ROUNDS` (default 3), `BENCH_PAIRS` (default 8),
 * `BENCH_DECISIONS` (default 200000),
 * `BENCH_TIMEOUT_MS`.
 *
 * @module
 */

import { startServer, type TestServer } from "../tests/support/server.ts";
import { haveWrk, wrkRate } from "./_wrk.ts";
import type { UserInfo } from "../apiserver/request_context.ts";
import {
  type AuthorizationAttributes,
  type Authorizer,
  defaultAuthorizer,
} from "../apiserver/authz/authorizer.ts";
import {
  bootstrapPolicy,
  RbacAuthorizer,
  StaticPolicy,
} from "../apiserver/authz/rbac/mod.ts";
import {
  binding,
  role,
  rule,
  saSubject,
  userSubject,
} from "../tests/support/rbac_objects.ts";
import type { KubeObject } from "../storage/mod.ts";

const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 10_000);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const DECISIONS = Number(Deno.env.get("BENCH_DECISIONS") ?? 200_000);
const TIMEOUT_MS = Number(Deno.env.get("BENCH_TIMEOUT_MS") ?? 175_000);
const REQUEST_TIMEOUT_MS = 10_000;
const WARMUP_MS = 2_000;
/** Idle time after each round (the service account's run). */
const SETTLE_MS = 1_000;
/** Admin/user pairs of short runs after the rounds. */
const PAIRS = Number(Deno.env.get("BENCH_PAIRS") ?? 8);
const PAIR_MS = 2_000;

const NS = "bench";
const SA = "reader";
const CM = "get-large";
/** A static-token user outside `system:masters` (`--token-auth-file` line). */
const USER = "bench-reader";
const USER_TOKEN = "bench-reader-token-0123456789abcdef";

const CLUSTERS = 100;
const BINDINGS_PER_CLUSTER = 200;
const NAMESPACES_PER_CLUSTER = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Row = [string, string, string];

/** One request; throws unless the status is `want`; returns the body. */
async function call(
  server: TestServer,
  path: string,
  want: number,
  init: RequestInit = {},
): Promise<string> {
  const res = await server.fetch(path, {
    ...init,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const body = await res.text();
  if (res.status !== want) {
    throw new Error(
      `${init.method ?? "GET"} ${path}: ${res.status} ${body.slice(0, 300)}`,
    );
  }
  return body;
}

const post = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Creates the namespace, the ConfigMap, the ServiceAccount, its Role and
 * RoleBinding; returns a token of the service account once it may GET the
 * ConfigMap (the RBAC index follows the store by a watch). The static
 * user's grant is the same RoleBinding.
 */
async function setUp(s: TestServer): Promise<string> {
  await call(s, "/api/v1/namespaces", 201, post({ metadata: { name: NS } }));
  const nsPath = `/api/v1/namespaces/${NS}`;
  await call(
    s,
    `${nsPath}/configmaps`,
    201,
    post({ metadata: { name: CM }, data: { key: "x".repeat(1024) } }),
  );
  await call(
    s,
    `${nsPath}/serviceaccounts`,
    201,
    post({ metadata: { name: SA } }),
  );
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}`;
  await call(
    s,
    `${rbac}/roles`,
    201,
    post(role(NS, "cm-getter", [rule(["get"], [""], ["configmaps"])])),
  );
  await call(
    s,
    `${rbac}/rolebindings`,
    201,
    post(
      binding(NS, "reader-gets", "Role", "cm-getter", [
        saSubject(SA),
        userSubject(USER),
      ]),
    ),
  );
  const tr = JSON.parse(
    await call(
      s,
      `${nsPath}/serviceaccounts/${SA}/token`,
      201,
      post({
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      }),
    ),
  );
  const token: string = tr.status.token;
  const asSa = { headers: { authorization: `Bearer ${token}` } };
  const asUser = { headers: { authorization: `Bearer ${USER_TOKEN}` } };
  const deadline = performance.now() + 10_000;
  for (const [who, init] of [["service account", asSa], [USER, asUser]]) {
    for (;;) {
      const res = await s.fetch(`${nsPath}/configmaps/${CM}`, {
        ...init as RequestInit,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.status === 200) break;
      if (performance.now() > deadline) {
        throw new Error(`${who}'s GET is still ${res.status}`);
      }
      await sleep(100);
    }
  }
  // The grant is exactly `get`: a list is still refused.
  const list = await s.fetch(`${nsPath}/configmaps`, {
    ...asSa,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await list.arrayBuffer();
  if (list.status !== 403) {
    throw new Error(`the service account's LIST is ${list.status}, not 403`);
  }
  return token;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const range = (xs: number[], f: (x: number) => string) =>
  `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const perSecond = (n: number) => `${n.toFixed(0)}/s`;

/** The three callers of the HTTP rounds. */
type Caller = "admin" | "user" | "sa";

/** CPU seconds (user + system, every thread) the process `pid` used. */
function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // Fields after the command name (which may hold spaces): state is field
  // 3, utime 14, stime 15, in clock ticks (USER_HZ, 100 on Linux).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One wrk run: requests/s and the server's CPU µs per request. */
interface Run {
  rate: number;
  cpuUs: number;
}

async function run(
  s: TestServer,
  url: string,
  headers: Record<string, string>,
  ms: number,
): Promise<Run> {
  const cpu0 = cpuSeconds(s.pid);
  const t0 = performance.now();
  const rate = await wrkRate(url, headers, ms);
  const cpu = cpuSeconds(s.pid) - cpu0;
  // wrk's rate is over its own run (≈ ms); the CPU over the same span.
  const requests = rate * Math.min(ms, performance.now() - t0) / 1000;
  return { rate, cpuUs: cpu * 1e6 / requests };
}

const us = (x: number) => `${x.toFixed(0)} µs`;

/** "of admin" ratios and the verdict on the cost per request. */
function versus(
  rates: number[],
  cpu: number[],
  adminRates: number[],
  adminCpu: number[],
): string {
  const ratios = rates.map((x, i) => x / adminRates[i]);
  const costs = cpu.map((x, i) => x / adminCpu[i] - 1);
  return `throughput ${range(ratios, pct)} of admin; server CPU per request +${
    range(costs, pct)
  } (target ≤ 10%: ${median(costs) <= 0.10 ? "met" : "NOT met"})`;
}

/**
 * wrk rounds over the three callers. Admin and user, the pair that isolates
 * the RBAC lookup, run back to back, in alternating order; the service
 * account runs last, followed by a pause, so that the garbage of its token
 * verifications never lands on the same one of the pair (a fixed rotation
 * had the admin always follow it). Besides throughput, the server's own CPU
 * time per request is measured (`/proc/<pid>/stat`): other processes on the
 * shared machine swing throughput far more than the server's CPU cost.
 */
async function httpRounds(s: TestServer, saToken: string): Promise<Row[]> {
  const url = `${s.url}/api/v1/namespaces/${NS}/configmaps/${CM}`;
  const headers: Record<Caller, Record<string, string>> = {
    admin: { authorization: `Bearer ${s.token}` },
    user: { authorization: `Bearer ${USER_TOKEN}` },
    sa: { authorization: `Bearer ${saToken}` },
  };
  // Warm every path (JIT, connection setup) before anything is counted.
  for (const c of ["sa", "admin", "user"] as const) {
    await wrkRate(url, headers[c], WARMUP_MS);
  }
  const runs: Record<Caller, Run[]> = { admin: [], user: [], sa: [] };
  const rows: Row[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order: Caller[] = round % 2 === 0
      ? ["admin", "user", "sa"]
      : ["user", "admin", "sa"];
    for (const c of order) {
      runs[c].push(await run(s, url, headers[c], DURATION_MS));
    }
    await sleep(SETTLE_MS);
    const [a, u, sa] = [runs.admin[round], runs.user[round], runs.sa[round]];
    rows.push([
      `round ${round + 1} (order ${order.join(", ")})`,
      `admin ${perSecond(a.rate)} (${us(a.cpuUs)} CPU/req), user ${
        perSecond(u.rate)
      } (${us(u.cpuUs)}), SA ${perSecond(sa.rate)} (${us(sa.cpuUs)})`,
      `user/admin ${pct(u.rate / a.rate)}, SA/admin ${pct(sa.rate / a.rate)}`,
    ]);
    console.error(`bench: HTTP round ${round + 1}/${ROUNDS} done`);
  }
  const rate = (c: Caller) => runs[c].map((r) => r.rate);
  const cpu = (c: Caller) => runs[c].map((r) => r.cpuUs);
  const figure = (c: Caller) =>
    `${range(rate(c), perSecond)}; ${range(cpu(c), us)} CPU/req`;
  return [
    ...rows,
    [
      "GET configmap (1 KiB value) as admin (static token, `system:masters`: no RBAC lookup)",
      figure("admin"),
      "baseline",
    ],
    [
      "GET configmap as a static-token user granted by a RoleBinding (RBAC lookup)",
      figure("user"),
      versus(rate("user"), cpu("user"), rate("admin"), cpu("admin")),
    ],
    [
      "GET configmap as a service account (TokenRequest JWT + RBAC lookup)",
      figure("sa"),
      versus(rate("sa"), cpu("sa"), rate("admin"), cpu("admin")),
    ],
  ];
}

/**
 * Admin against user only, in short runs alternating order: bursts of other
 * load on the shared machine swing a 10 s run by ±40%, so the many
 * neighbouring pairs' ratios, not the few long rounds, resolve a
 * difference of a few percent.
 */
async function pairedRuns(s: TestServer): Promise<Row[]> {
  const url = `${s.url}/api/v1/namespaces/${NS}/configmaps/${CM}`;
  const admin = { authorization: `Bearer ${s.token}` };
  const user = { authorization: `Bearer ${USER_TOKEN}` };
  const rateRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    let a: Run;
    let u: Run;
    if (pair % 2 === 0) {
      a = await run(s, url, admin, PAIR_MS);
      u = await run(s, url, user, PAIR_MS);
    } else {
      u = await run(s, url, user, PAIR_MS);
      a = await run(s, url, admin, PAIR_MS);
    }
    rateRatios.push(u.rate / a.rate);
    cpuRatios.push(u.cpuUs / a.cpuUs);
  }
  console.error(`bench: ${PAIRS} paired runs done`);
  const quartiles = (xs: number[], f: (x: number) => string) => {
    const sorted = [...xs].sort((x, y) => x - y);
    const q = (p: number) => sorted[Math.round(p * (sorted.length - 1))];
    return `median ${f(q(0.5))} (p25 ${f(q(0.25))}, p75 ${f(q(0.75))}; ${
      f(sorted[0])
    }–${f(sorted[sorted.length - 1])})`;
  };
  const cost = median(cpuRatios) - 1;
  return [[
    `user vs admin in ${PAIRS} pairs of ${
      PAIR_MS / 1000
    } s runs (alternating order)`,
    `throughput user/admin ${quartiles(rateRatios, pct)}`,
    `server CPU per request user/admin ${
      quartiles(cpuRatios, pct)
    } (target ≤ 110%: ${cost <= 0.10 ? "met" : "NOT met"})`,
  ]];
}

/** 100 clusters, each with the bootstrap policy and 200 RoleBindings. */
function bigPolicy(): StaticPolicy {
  const boot = bootstrapPolicy();
  const bootObjects: KubeObject[] = [
    ...boot.clusterRoles,
    ...boot.clusterRoleBindings,
    ...boot.roles,
    ...boot.roleBindings,
  ] as unknown as KubeObject[];
  const objects: Record<string, KubeObject[]> = {};
  for (let c = 0; c < CLUSTERS; c++) {
    const objs: KubeObject[] = [...bootObjects];
    for (let n = 0; n < NAMESPACES_PER_CLUSTER; n++) {
      objs.push(
        role(`ns-${n}`, "cm-getter", [rule(["get"], [""], ["configmaps"])]),
      );
    }
    for (let b = 0; b < BINDINGS_PER_CLUSTER; b++) {
      const ns = `ns-${b % NAMESPACES_PER_CLUSTER}`;
      objs.push(
        binding(ns, `sa-${b}-gets`, "Role", "cm-getter", [
          saSubject(`sa-${b}`),
        ]),
      );
    }
    objects[`c-${c}`] = objs as unknown as KubeObject[];
  }
  return StaticPolicy.of(objects);
}

function serviceAccount(ns: string, name: string): UserInfo {
  return {
    username: `system:serviceaccount:${ns}:${name}`,
    groups: [
      "system:serviceaccounts",
      `system:serviceaccounts:${ns}`,
      "system:authenticated",
    ],
  };
}

/** 1,000 distinct GETs, each allowed by one of the RoleBindings. */
function requests(): AuthorizationAttributes[] {
  const out: AuthorizationAttributes[] = [];
  for (let i = 0; i < 1000; i++) {
    const b = (i * 7) % BINDINGS_PER_CLUSTER;
    const ns = `ns-${b % NAMESPACES_PER_CLUSTER}`;
    out.push({
      user: serviceAccount(ns, `sa-${b}`),
      cluster: `c-${(i * 13) % CLUSTERS}`,
      verb: "get",
      isResourceRequest: true,
      apiGroup: "",
      apiVersion: "v1",
      resource: "configmaps",
      subresource: "",
      namespace: ns,
      name: `cm-${i}`,
    });
  }
  return out;
}

/** Nanoseconds per decision of `n` decisions cycling through `attrs`. */
async function nsPerDecision(
  authorizer: Authorizer,
  attrs: AuthorizationAttributes[],
  n: number,
  want: boolean,
): Promise<number> {
  let allowed = 0;
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const d = await authorizer.authorize(attrs[i % attrs.length]);
    if (d.allowed) allowed++;
  }
  const ns = (performance.now() - start) * 1e6 / n;
  if (allowed !== (want ? n : 0)) {
    throw new Error(`${allowed}/${n} decisions allowed, expected ${want}`);
  }
  return ns;
}

async function inProcess(): Promise<Row[]> {
  const t0 = performance.now();
  const rbac = new RbacAuthorizer(bigPolicy());
  const built = performance.now() - t0;
  const fixed = defaultAuthorizer();
  const attrs = requests();
  const admins = attrs.map((a) => ({
    ...a,
    user: { username: "admin", groups: ["system:masters"] },
  }));
  // Warm-up (JIT) of every case.
  await nsPerDecision(rbac, attrs, DECISIONS / 10, true);
  await nsPerDecision(fixed, attrs, DECISIONS / 10, false);
  await nsPerDecision(rbac, admins, DECISIONS / 10, true);
  const rbacNs: number[] = [];
  const fixedNs: number[] = [];
  const mastersNs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    rbacNs.push(await nsPerDecision(rbac, attrs, DECISIONS, true));
    fixedNs.push(await nsPerDecision(fixed, attrs, DECISIONS, false));
    mastersNs.push(await nsPerDecision(rbac, admins, DECISIONS, true));
  }
  const ns = (x: number) => `${x.toFixed(0)} ns`;
  const ratios = rbacNs.map((x, i) => x / fixedNs[i]);
  return [
    [
      `\`defaultAuthorizer()\`, ${DECISIONS} decisions (same SA GETs: denied after every check)`,
      range(fixedNs, ns),
      "baseline",
    ],
    [
      `\`RbacAuthorizer\`, ${CLUSTERS} clusters × (bootstrap + ${BINDINGS_PER_CLUSTER} RoleBindings), ${DECISIONS} allowed SA GETs`,
      range(rbacNs, ns),
      `${range(ratios, (x) => `${x.toFixed(2)}×`)} baseline; +${
        (median(rbacNs) - median(fixedNs)).toFixed(0)
      } ns per decision (index built in ${built.toFixed(0)} ms)`,
    ],
    [
      "`RbacAuthorizer`, same GETs by `system:masters`",
      range(mastersNs, ns),
      "",
    ],
  ];
}

function printTable(rows: Row[]): void {
  console.log("| measurement | figure | ratio / target |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

async function main(): Promise<number> {
  const rows: Row[] = [];
  const watchdog = setTimeout(() => {
    rows.push(["(watchdog)", "FAILED", `the run exceeded ${TIMEOUT_MS} ms`]);
    printTable(rows);
    Deno.exit(2); // the server child dies with its stdio pipes
  }, TIMEOUT_MS);
  let server: TestServer | undefined;
  let dataDir: string | undefined;
  try {
    try {
      rows.push(...await inProcess());
    } catch (err) {
      rows.push(["in-process decisions", "FAILED", String(err)]);
    }
    console.error("bench: in-process decisions done");
    if (!haveWrk()) {
      rows.push([
        "HTTP rounds",
        "SKIPPED",
        "wrk not installed (apt-get install wrk)",
      ]);
    } else {
      dataDir = await Deno.makeTempDir({ prefix: "bench-rbac-" });
      // The server keeps this line and adds the admin's.
      await Deno.mkdir(`${dataDir}/auth`, { recursive: true });
      await Deno.writeTextFile(
        `${dataDir}/auth/tokens.csv`,
        `${USER_TOKEN},${USER},${USER}\n`,
      );
      server = await startServer({
        args: ["--storage-backend", "sqlite"],
        dataDir,
      });
      const token = await setUp(server);
      rows.push(...await httpRounds(server, token));
      rows.push(...await pairedRuns(server));
    }
  } catch (err) {
    rows.push([
      "(run)",
      "FAILED",
      err instanceof Error ? err.message : String(err),
    ]);
  } finally {
    await server?.stop();
    if (dataDir) await Deno.remove(dataDir, { recursive: true });
    clearTimeout(watchdog);
  }
  printTable(rows);
  return rows.some((r) => r[1] === "FAILED") ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
