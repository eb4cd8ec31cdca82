/**
 * ConfigMap create throughput with one ValidatingAdmissionPolicy and one
 * binding in force against the same creates without any (target ≥ 80%),
 * measured in the same run through the API server's handler.
 *
 *     deno run -A bench/vap_create.ts [--rounds 40] [--batch 100]
 *
 * One server, two virtual clusters: `root` has the policy (matching
 * ConfigMap CREATE/UPDATE, one validation reading the labels and the data)
 * and its `Deny` binding; `plain` has none. Every created ConfigMap passes
 * the policy, so each create in `root` matches, builds the CEL activation
 * and evaluates the expression. Rounds alternate the order of a batch in
 * each cluster (stalls of the shared 2-core machine hit both alike); the
 * figure to judge is the median of the per-round ratios. Groups: `memory`
 * (the API cost alone) and `sqlite` (SQLite behind the watch cache, as
 * `hyperplane server` runs it).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ApiServer, createApiServer } from "../apiserver/mod.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import type { StoreFactory } from "../storage/mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "40" },
    batch: { type: "string", default: "100" },
  },
});
const ROUNDS = Number(values.rounds);
const BATCH = Number(values.batch);
const user = { username: "admin", groups: ["system:masters"] };
const AR = "/apis/admissionregistration.k8s.io/v1";

function post(api: ApiServer, path: string, body: unknown) {
  return api.handler(
    new Request(`http://bench${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
    { user },
  );
}

async function expectCreated(res: Response): Promise<void> {
  if (res.status !== 201) throw new Error(await res.text());
  await res.body?.cancel();
}

type Case = "without" | "with";
const PREFIX: Record<Case, string> = { without: "/clusters/plain", with: "" };

function creator(api: ApiServer, c: Case): (i: number) => Promise<void> {
  return async (i) =>
    await expectCreated(
      await post(api, `${PREFIX[c]}/api/v1/namespaces/default/configmaps`, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${i}`, labels: { app: "bench", team: "t" } },
        data: { schedule: "* * * * */5", image: "img", replicas: "3" },
      }),
    );
}

/** Puts the policy and its binding in force in `root`. */
async function enforce(api: ApiServer): Promise<void> {
  await expectCreated(
    await post(api, `${AR}/validatingadmissionpolicies`, {
      metadata: { name: "team-label" },
      spec: {
        matchConstraints: {
          resourceRules: [{
            apiGroups: [""],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["configmaps"],
          }],
        },
        validations: [{
          expression:
            "'team' in object.metadata.?labels.orValue({}) && size(object.data) < 10",
          message: "a team label and fewer than 10 keys",
        }],
      },
    }),
  );
  await expectCreated(
    await post(api, `${AR}/validatingadmissionpolicybindings`, {
      metadata: { name: "team-label" },
      spec: { policyName: "team-label", validationActions: ["Deny"] },
    }),
  );
  // In force once an unlabelled ConfigMap is refused (the index follows a watch).
  for (let i = 0;; i++) {
    const res = await post(api, "/api/v1/namespaces/default/configmaps", {
      metadata: { name: `probe-${i}` },
    });
    await res.body?.cancel();
    if (res.status === 422) return;
    if (i > 500) throw new Error("the policy did not come into force");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (x: number) => x.toFixed(0).padStart(6);

async function runGroup(name: string, storage: StoreFactory): Promise<void> {
  const api = await createApiServer({ storage, logger: silentLogger });
  try {
    await enforce(api);
    const create = {
      without: creator(api, "without"),
      with: creator(api, "with"),
    };
    const rates: Record<Case, number[]> = { without: [], with: [] };
    const ratios: number[] = [];
    let n = 0;
    const batch = async (c: Case) => {
      const start = performance.now();
      for (let i = 0; i < BATCH; i++) await create[c](n++);
      return BATCH / ((performance.now() - start) / 1000);
    };
    // Warm-up (JIT, caches, the plain cluster's bootstrap), not counted.
    await batch("without");
    await batch("with");
    for (let r = 0; r < ROUNDS; r++) {
      const order: Case[] = r % 2 === 0
        ? ["without", "with"]
        : ["with", "without"];
      const got = {} as Record<Case, number>;
      for (const c of order) got[c] = await batch(c);
      rates.without.push(got.without);
      rates.with.push(got.with);
      ratios.push(got.with / got.without);
    }
    console.log(
      `\n[${name}] ${ROUNDS} rounds × ${BATCH} sequential ConfigMap creates per case`,
    );
    console.log("case        mean/s  median/s  p25/s  p75/s");
    for (const c of ["without", "with"] as Case[]) {
      const xs = rates[c];
      console.log(
        `${c.padEnd(10)} ${fmt(mean(xs))}  ${fmt(quantile(xs, 0.5))}  ${
          fmt(quantile(xs, 0.25))
        } ${fmt(quantile(xs, 0.75))}`,
      );
    }
    const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
    console.log(
      `with policy / without: means ${
        pct(mean(rates.with) / mean(rates.without))
      }, medians ${
        pct(quantile(rates.with, 0.5) / quantile(rates.without, 0.5))
      }, per-round ratio median ${pct(quantile(ratios, 0.5))} (p25 ${
        pct(quantile(ratios, 0.25))
      }, p75 ${pct(quantile(ratios, 0.75))})`,
    );
  } finally {
    await api.close();
  }
}

const dir = await Deno.makeTempDir({ prefix: "hyperplane-vap-bench-" });
try {
  const memory = await memoryBackend().open({}, {
    dataDir: dir,
    logger: silentLogger,
  });
  try {
    await runGroup("memory", memory);
  } finally {
    await memory.close();
  }
  const sqlite = cachedStoreFactory(
    openSqliteStoreFactory({ path: `${dir}/state.db` }),
    { logger: silentLogger },
  );
  try {
    await runGroup("sqlite", sqlite);
  } finally {
    await sqlite.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
