/**
 * ConfigMap create throughput with one ValidatingAdmissionPolicy and one
 * binding in force against the same creates without any (target ≥ 80%),
 * measured in the same run through the API server's handler.
 *
 *     deno run -A bench/vap_create.ts [--rounds 40] [--batch 100]
 *
 * Two API servers in one process, each on its own store: one has the
 * policy (matching ConfigMap CREATE/UPDATE, one validation reading the
 * labels and the data) and its `Deny` binding, the other none. (Two
 * servers rather than two virtual clusters of one: with no policy
 * anywhere, creates in `root` measured slower than in another cluster.)
 * Every created ConfigMap passes the policy, so each create on the first
 * server matches, builds the CEL activation and evaluates the expression.
 * A round interleaves the two servers create by create (each create timed
 * alone, the order of each pair alternating), so that stalls of the shared
 * 2-core machine hit both cases alike; the figure to judge is the median
 * of the per-round ratios. Groups: `memory`
 * (the API cost alone) and `sqlite` (SQLite behind the watch cache, as
 * `hyperplane server` runs it).
 *
 * A third figure is the plugin alone: `validate()` per request with the
 * policy in force and in a cluster without policies (CPU only, so much
 * less sensitive to a loaded machine than whole creates).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type ApiServer, createApiServer } from "../apiserver/mod.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { memoryBackend } from "../backends/memory/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import { objectKey, type StoreFactory } from "../storage/mod.ts";
import { ResourceRegistry } from "../apiserver/resources/registry.ts";
import { defaultAuthorizer } from "../apiserver/authz/authorizer.ts";
import type { AdmissionContext } from "../apiserver/admission/builtin.ts";
import {
  ADMISSION_GROUP,
  BINDINGS,
  defaultPolicy,
  POLICIES,
  PolicyPlugin,
} from "../apiserver/admission/policy/mod.ts";
import type { WriteAttributes } from "../apiserver/admission/admission.ts";

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
function creator(api: ApiServer): (i: number) => Promise<void> {
  return async (i) =>
    await expectCreated(
      await post(api, `/api/v1/namespaces/default/configmaps`, {
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

async function runGroup(
  name: string,
  storage: Record<Case, StoreFactory>,
): Promise<void> {
  const api = {
    with: await createApiServer({
      storage: storage.with,
      logger: silentLogger,
    }),
    without: await createApiServer({
      storage: storage.without,
      logger: silentLogger,
    }),
  };
  try {
    await enforce(api.with);
    const create = {
      without: creator(api.without),
      with: creator(api.with),
    };
    const rates: Record<Case, number[]> = { without: [], with: [] };
    const ratios: number[] = [];
    let n = 0;
    // One round: BATCH creates on each server, interleaved one by one (the
    // order of each pair alternating), each timed alone, so that a stall
    // of the shared machine lands on both cases alike.
    const round = async () => {
      const spent: Record<Case, number> = { without: 0, with: 0 };
      for (let i = 0; i < BATCH; i++) {
        const order: Case[] = i % 2 === 0
          ? ["without", "with"]
          : ["with", "without"];
        for (const c of order) {
          const start = performance.now();
          await create[c](n++);
          spent[c] += performance.now() - start;
        }
      }
      return {
        without: BATCH / (spent.without / 1000),
        with: BATCH / (spent.with / 1000),
      };
    };
    await round(); // warm-up (JIT, caches), not counted
    for (let r = 0; r < ROUNDS; r++) {
      const got = await round();
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
    await api.with.close();
    await api.without.close();
  }
}

const POLICY_SPEC = {
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
  }],
};

/** µs per `validate()` of the plugin alone, in `root` (policy) and `plain`. */
async function pluginAlone(storage: StoreFactory): Promise<void> {
  const registry = new ResourceRegistry();
  const stop = new AbortController();
  const ctx: AdmissionContext = {
    logger: silentLogger,
    now: () => new Date(),
    authorizer: defaultAuthorizer(),
    storeFor: (d) => storage.storeFor({ group: d.group, resource: d.plural }),
    builtin: (g, v, p) => registry.lookup(g, v, p),
    lookup: (_c, g, v, p) => registry.lookup(g, v, p),
    served: () => registry.all(),
    signal: stop.signal,
  };
  const ref = (resource: string) => ({
    group: ADMISSION_GROUP,
    resource,
    cluster: "root",
    name: "team-label",
  });
  const policy = {
    apiVersion: `${ADMISSION_GROUP}/v1`,
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: "team-label", uid: "u", generation: 1 },
    spec: structuredClone(POLICY_SPEC),
  };
  defaultPolicy(policy);
  await storage.storeFor({ group: ADMISSION_GROUP, resource: POLICIES })
    .create(objectKey(ref(POLICIES)), policy);
  await storage.storeFor({ group: ADMISSION_GROUP, resource: BINDINGS })
    .create(objectKey(ref(BINDINGS)), {
      metadata: { name: "team-label" },
      spec: { policyName: "team-label", validationActions: ["Deny"] },
    } as never);
  const plugin = new PolicyPlugin(
    ctx,
    registry.lookup(ADMISSION_GROUP, "v1", POLICIES)!,
    registry.lookup(ADMISSION_GROUP, "v1", BINDINGS)!,
  );
  await plugin.ready();
  const attrs = (cluster: string): WriteAttributes => ({
    operation: "CREATE",
    user,
    cluster,
    group: "",
    version: "v1",
    resource: "configmaps",
    subresource: "",
    kind: "ConfigMap",
    namespace: "default",
    name: "cm",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "cm",
        namespace: "default",
        uid: "6b0f5d2e-3c1a-4a7e-9f0b-1d2c3e4f5a6b",
        creationTimestamp: "2026-01-01T00:00:00Z",
        labels: { app: "bench", team: "t" },
        managedFields: [{
          manager: "bench",
          operation: "Update",
          apiVersion: "v1",
          time: "2026-01-01T00:00:00Z",
          fieldsType: "FieldsV1",
          fieldsV1: {
            "f:data": { "f:image": {}, "f:replicas": {}, "f:schedule": {} },
            "f:metadata": { "f:labels": { "f:app": {}, "f:team": {} } },
          },
        }],
      },
      data: { schedule: "* * * * */5", image: "img", replicas: "3" },
    } as WriteAttributes["object"],
    dryRun: false,
    warnings: [],
  });
  const N = 20_000;
  const time = async (cluster: string) => {
    const start = performance.now();
    for (let i = 0; i < N; i++) await plugin.validate(attrs(cluster));
    return (performance.now() - start) / N * 1000;
  };
  await time("root");
  await time("plain");
  const withUs: number[] = [];
  const withoutUs: number[] = [];
  for (let r = 0; r < 5; r++) {
    withUs.push(await time("root"));
    withoutUs.push(await time("plain"));
  }
  console.log(
    `\n[plugin alone] validate(): ${
      quantile(withUs, 0.5).toFixed(1)
    } µs with the policy in force, ${
      quantile(withoutUs, 0.5).toFixed(2)
    } µs without (medians of 5 × ${N})`,
  );
  stop.abort();
  await plugin.close();
}

const dir = await Deno.makeTempDir({ prefix: "hyperplane-vap-bench-" });
try {
  const memory = {
    with: await memoryBackend().open({}, {
      dataDir: dir,
      logger: silentLogger,
    }),
    without: await memoryBackend().open({}, {
      dataDir: dir,
      logger: silentLogger,
    }),
  };
  try {
    await runGroup("memory", memory);
  } finally {
    await memory.with.close();
    await memory.without.close();
  }
  const alone = await memoryBackend().open({}, {
    dataDir: dir,
    logger: silentLogger,
  });
  try {
    await pluginAlone(alone);
  } finally {
    await alone.close();
  }
  const sqliteAt = (file: string) =>
    cachedStoreFactory(openSqliteStoreFactory({ path: `${dir}/${file}` }), {
      logger: silentLogger,
      eager: true, // in a server the controllers' informers start every cache
    });
  const sqlite = { with: sqliteAt("with.db"), without: sqliteAt("without.db") };
  try {
    await runGroup("sqlite", sqlite);
  } finally {
    await sqlite.with.close();
    await sqlite.without.close();
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
