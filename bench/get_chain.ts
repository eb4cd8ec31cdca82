/**
 * The request chain's own cost of a GET of one ConfigMap (issue 21, target
 * 1): the API handler called in process, without TLS, HTTP or a client, so
 * the figure is the chain's alone (routing, authentication's hand-over,
 * flow control, RBAC, the cache read, the response). Run with
 * `deno run -A bench/get_chain.ts`; `--cpu-prof` on the same command gives
 * the profile of the same loop.
 *
 * Prints the process's CPU µs per GET (median over rounds, with the range) for the admin
 * (`system:masters`: flow control exempt, RBAC short-cut) and for a user
 * whose RBAC binding allows the read (flow control and RBAC rules run), one
 * at a time and with 64 in flight, and the loop's own cost (building the
 * request, reading a response of the same body) to subtract. No assertion.
 *
 * Environment: `BENCH_GETS` (per round, default 20000), `BENCH_ROUNDS`
 * (default 7).
 *
 * @module
 */

import {
  configMap,
  startTestServer,
} from "../tests/support/apiserver_harness.ts";
import type { UserInfo } from "../apiserver/request_context.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cpuUsage } from "node:process";

const GETS = Number(Deno.env.get("BENCH_GETS") ?? 20000);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 7);

const ADMIN: UserInfo = {
  username: "admin",
  groups: ["system:masters", "system:authenticated"],
};
const READER: UserInfo = {
  username: "reader",
  groups: ["system:authenticated"],
};

// The server's storage as `hyperplane server` builds it: the watch cache
// over a backend (GETs are answered from the cache's JSON text).
const backend = await memoryBackend().open({}, {
  dataDir: "/tmp",
  logger: silentLogger,
});
const storage = cachedStoreFactory(backend, { logger: silentLogger });
const server = await startTestServer({ storage });
const must = async (
  method: string,
  path: string,
  body: unknown,
): Promise<void> => {
  const r = await server.request(method, path, { body });
  if (r.status >= 300) {
    throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
};
await must("POST", "/api/v1/namespaces", { metadata: { name: "bench" } });
await must(
  "POST",
  "/api/v1/namespaces/bench/configmaps",
  configMap("get-target", { key: "value" }),
);
await must("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", {
  metadata: { name: "bench-reader" },
  rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
});
await must(
  "POST",
  "/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings",
  {
    metadata: { name: "bench-reader" },
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "bench-reader",
    },
    subjects: [{ kind: "User", name: "reader" }],
  },
);

const URL_ = "https://hyperplane.test/api/v1/namespaces/bench/configmaps/" +
  "get-target";
const headers = {
  accept: "application/json",
  "user-agent": "wrk",
};

const body = await (await server.api.handler(new Request(URL_, { headers }), {
  user: ADMIN,
})).text();

/** What the loop costs without the API: the same request and response. */
const harnessOnly = (req: Request): Promise<Response> => {
  void req.headers.get("accept");
  return Promise.resolve(
    new Response(body, { headers: { "content-type": "application/json" } }),
  );
};

async function once(user?: UserInfo): Promise<void> {
  const req = new Request(URL_, { headers });
  const res =
    await (user ? server.api.handler(req, { user }) : harnessOnly(req));
  if (res.status !== 200) {
    throw new Error(`GET: ${res.status} ${await res.text()}`);
  }
  await res.arrayBuffer();
}

// Until RBAC has seen the binding.
for (let i = 0; i < 200; i++) {
  try {
    await once(READER);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The process's CPU µs per GET over `GETS` GETs with `inFlight` at a time
 * (CPU time, not wall clock: the machine is shared).
 */
async function round(
  user: UserInfo | undefined,
  inFlight: number,
): Promise<number> {
  const start = cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < GETS) await once(user);
    }),
  );
  const used = cpuUsage(start);
  return (used.user + used.system) / GETS;
}

const cases: [string, UserInfo | undefined, number][] = [
  ["harness only (Request + Response, no API)", undefined, 64],
  ["admin, 1 in flight", ADMIN, 1],
  ["admin, 64 in flight", ADMIN, 64],
  ["RBAC reader, 1 in flight", READER, 1],
  ["RBAC reader, 64 in flight", READER, 64],
];
const results = cases.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, [, user, inFlight]] of cases.entries()) {
    results[i].push(await round(user, inFlight));
  }
}
console.log("| case | CPU µs per GET, median (range) |");
console.log("| --- | --- |");
for (const [i, [name]] of cases.entries()) {
  const xs = results[i].sort((a, b) => a - b);
  const med = xs[Math.floor(xs.length / 2)];
  console.log(
    `| ${name} | ${med.toFixed(1)} (${xs[0].toFixed(1)}–${
      xs[xs.length - 1].toFixed(1)
    }) |`,
  );
}
await server.close();
await storage.close(); // and the backend below it
