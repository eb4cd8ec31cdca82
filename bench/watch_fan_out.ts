/**
 * Watch fan-out of a real `hyperplane server` against the runtime's floor
 * (issue 21, target 2): N watches of one namespace's ConfigMaps, each on its
 * own HTTP/1.1 TLS connection; one create at a time; the latency of a
 * delivery is from the create's start to the read that carried the event
 * (`_fan_out.ts`). The floor: a bare `Deno.serve` in its own process (same
 * certificate, same client) writing one pre-encoded line to N open
 * streaming responses. Run with `deno run -A bench/watch_fan_out.ts`.
 *
 * `BENCH_WATCHERS` (comma-separated, default `1000,10000`), `BENCH_REPEAT`
 * (default 2: floor and server alternate, so load drifts land on both),
 * `BENCH_ROUNDS` (creates per measurement, default 20), `BENCH_ENTRY` (run
 * another tree's `main.ts`, for an A/B). Prints a Markdown table; no
 * assertion. A measurement that cannot open its connections (the file
 * descriptor limit) is reported as FAILED with the reason.
 *
 * @module
 */

import { freePort, startServer } from "../tests/support/server.ts";
import {
  type FanOutResult,
  measureFanOut,
  startBareFanOutServer,
} from "./_fan_out.ts";

const WATCHERS = (Deno.env.get("BENCH_WATCHERS") ?? "1000,10000").split(",")
  .map(Number);
const REPEAT = Number(Deno.env.get("BENCH_REPEAT") ?? 2);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 20);
const ENTRY = Deno.env.get("BENCH_ENTRY");

const fmt = (r: FanOutResult) =>
  `p50 ${r.p50.toFixed(1)} ms, p99 ${
    r.p99.toFixed(1)
  } ms (${r.delivered}/${r.expected})`;

async function attempt(run: () => Promise<FanOutResult>): Promise<string> {
  try {
    return fmt(await run());
  } catch (err) {
    return `FAILED: ${err instanceof Error ? err.message : String(err)}`;
  }
}

async function main(): Promise<void> {
  const server = await startServer({
    entry: ENTRY,
    args: ["--storage-backend", "sqlite"],
  });
  const rows: string[][] = [];
  try {
    const ns = "fanout";
    const created = await server.fetch("/api/v1/namespaces", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ metadata: { name: ns } }),
    });
    await created.arrayBuffer();
    let seq = 0;
    for (const n of WATCHERS) {
      for (let rep = 0; rep < REPEAT; rep++) {
        const bare = await startBareFanOutServer(
          freePort(),
          `${server.dataDir}/tls/serving.crt`,
          `${server.dataDir}/tls/serving.key`,
        );
        let floor: string;
        try {
          floor = await attempt(() =>
            measureFanOut(
              {
                port: bare.port,
                caCert: server.caCert!,
                path: "/watch",
                headers: {},
                write: async (name) => {
                  const r = await fetch(
                    `https://127.0.0.1:${bare.port}/?name=${name}`,
                    { method: "POST", client: server.client },
                  );
                  await r.arrayBuffer();
                },
              },
              n,
              ROUNDS,
            )
          );
        } finally {
          await bare.stop();
        }
        const base = seq;
        seq += ROUNDS;
        const api = await attempt(() =>
          measureFanOut(
            {
              port: server.port,
              caCert: server.caCert!,
              path: `/api/v1/namespaces/${ns}/configmaps?watch=true` +
                "&allowWatchBookmarks=true&sendInitialEvents=true" +
                "&resourceVersionMatch=NotOlderThan",
              headers: { authorization: `Bearer ${server.token}` },
              write: async (name) => {
                const r = await server.fetch(
                  `/api/v1/namespaces/${ns}/configmaps`,
                  {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify({
                      metadata: { name },
                      data: { key: "value" },
                    }),
                  },
                );
                await r.arrayBuffer();
                if (r.status !== 201) throw new Error(`create: ${r.status}`);
              },
              // Names are new in every measurement (fan-<n> is matched).
              nameOf: (i) => `fan-${base + i}`,
            },
            n,
            ROUNDS,
          )
        );
        rows.push([String(n), String(rep + 1), floor, api]);
        console.error(`| ${rows.at(-1)!.join(" | ")} |`); // progress
      }
    }
  } finally {
    await server.stop();
  }
  console.log(
    `| watchers | repeat | bare Deno.serve floor | ${ENTRY ?? "this tree"} |`,
  );
  console.log("| --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
