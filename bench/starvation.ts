/**
 * The starvation scenario of the hostile-load issue, run with
 * `deno run -A bench/starvation.ts [off] [on]`: one service account floods
 * the server with `wrk` (1,000 keep-alive connections, GET of a ConfigMap
 * list) while `kubectl` — as the admin with a cold discovery cache (a new
 * `--cache-dir` every time: a new TLS connection and the discovery
 * requests), and as a second, quiet service account — is timed every half
 * second. Runs on a real `hyperplane server` (SQLite, temp data dir) with
 * the server's flow control off (`off`: `--max-requests-inflight 0
 * --max-mutating-requests-inflight 0`) and with its defaults (`on`: 400/200
 * seats, fair queuing per user and cluster); the TLS front's admission
 * (`apiserver/serving/_admission.ts`) is in force in both. No argument runs
 * both.
 *
 * Prints one Markdown row per run: the flood's rate and its 429 share, and
 * the probes' median and worst latency (every sample goes to stderr). No
 * assertion (figures vary with the machine). Bounded: wrk runs
 * `BENCH_DURATION_MS` (default 15 s), every probe has a 30 s timeout.
 *
 * @module
 */

import { startServer, type TestServer } from "../tests/support/server.ts";
import { kubeTools } from "../tests/support/kubectl.ts";
import { haveWrk } from "./_wrk.ts";

const DURATION_MS = Number(Deno.env.get("BENCH_DURATION_MS") ?? 15_000);
const CONNECTIONS = Number(Deno.env.get("BENCH_CONNECTIONS") ?? 1000);

async function json(
  s: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await s.fetch(path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const out = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(out)}`);
  return out;
}

/** A token of a new service account allowed to read configmaps. */
async function readerToken(s: TestServer, name: string): Promise<string> {
  const ns = "/api/v1/namespaces/default";
  await json(s, "POST", `${ns}/serviceaccounts`, { metadata: { name } });
  await json(
    s,
    "POST",
    "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
    {
      metadata: { name },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "view",
      },
      subjects: [{ kind: "ServiceAccount", name, namespace: "default" }],
    },
  );
  const tr = await json(s, "POST", `${ns}/serviceaccounts/${name}/token`, {
    spec: { expirationSeconds: 3600 },
  });
  return (tr.status as { token: string }).token;
}

async function timed(args: string[], kubectl: string, s: TestServer) {
  const start = performance.now();
  const out = await new Deno.Command(kubectl, {
    args: [
      "--kubeconfig",
      s.kubeconfigPath,
      "--request-timeout",
      "30s",
      ...args,
    ],
    stdout: "null",
    stderr: "null",
    env: { HOME: s.dataDir },
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { ms: performance.now() - start, ok: out.success };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

async function run(label: string, args: string[], kubectl: string) {
  await using s = await startServer({ args });
  for (let i = 0; i < 20; i++) {
    await json(s, "POST", "/api/v1/namespaces/default/configmaps", {
      metadata: { name: `cm-${i}` },
      data: { v: "x".repeat(512) },
    });
  }
  const flood = await readerToken(s, "flood");
  const calm = await readerToken(s, "calm");
  const wrk = new Deno.Command("wrk", {
    args: [
      "-t2",
      `-c${CONNECTIONS}`,
      `-d${Math.round(DURATION_MS / 1000)}s`,
      "--timeout",
      "30s",
      "-H",
      `Authorization: Bearer ${flood}`,
      `${s.url}/api/v1/namespaces/default/configmaps`,
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(DURATION_MS + 60_000),
  }).output();
  const admin: number[] = [];
  const quiet: number[] = [];
  let failed = 0;
  await new Promise((r) => setTimeout(r, 2000)); // the flood is on
  const until = Date.now() + DURATION_MS - 4000;
  while (Date.now() < until) {
    const cold = await Deno.makeTempDir({ dir: s.dataDir });
    const a = await timed(["--cache-dir", cold, "get", "ns"], kubectl, s);
    const q = await timed(
      ["--token", calm, "get", "configmaps", "-n", "default"],
      kubectl,
      s,
    );
    admin.push(a.ms);
    quiet.push(q.ms);
    if (!a.ok || !q.ok) failed++;
    await new Promise((r) => setTimeout(r, 500));
  }
  // Every sample, for whoever wants the spread (stdout keeps the table).
  console.error(
    `${label}: admin ${admin.map(Math.round).join(" ")}; quiet ${
      quiet.map(Math.round).join(" ")
    }`,
  );
  const out = new TextDecoder().decode((await wrk).stdout);
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(
    /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0,
  );
  const f = (x: number) => Math.round(x);
  console.log(
    `| ${label} | ${f(rate)} | ${
      total ? Math.round((100 * non2xx) / total) : 0
    }% | ${f(quantile(admin, 0.5))} / ${f(Math.max(...admin))} | ${
      f(quantile(quiet, 0.5))
    } / ${f(Math.max(...quiet))} | ${failed} | ${admin.length} |`,
  );
}

if (import.meta.main) {
  const tools = await kubeTools();
  if (!haveWrk() || !tools) {
    console.error("bench: needs wrk (apt-get install wrk) and kubectl");
    Deno.exit(1);
  }
  console.log(
    `wrk -t2 -c${CONNECTIONS} for ${DURATION_MS} ms as one service account; kubectl probes every ~0.5 s\n`,
  );
  console.log(
    "| flow control | flood req/s | flood 429 | admin kubectl (cold discovery) p50 / max ms | quiet SA kubectl p50 / max ms | probe failures | probe pairs |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  const which = Deno.args.length > 0 ? Deno.args : ["off", "on"];
  if (which.includes("off")) {
    await run("off (0/0)", [
      "--max-requests-inflight",
      "0",
      "--max-mutating-requests-inflight",
      "0",
    ], tools.kubectl);
  }
  if (which.includes("on")) {
    await run("on (400/200, defaults)", [], tools.kubectl);
  }
}
