/**
 * Encryption at rest: Secret creates with each provider against the same
 * creates without encryption (the baseline), in the same run.
 *
 * - `secret create (API, sqlite)`: POST through the API server's handler
 *   (admission, defaulting, managed fields, JSON), storage as
 *   `hyperplane server` assembles it: guard → watch cache → encryption →
 *   sqlite (each case its own database in a temp dir). Target: aesgcm ≥ 85%
 *   of the baseline.
 * - `secret create (store, sqlite)`: the storage stack alone, which makes
 *   the transformation's share of a create as large as it can be.
 * - `transform 1 KiB`: one encrypt + decrypt of a Secret's JSON per
 *   provider (identity, the baseline, is a parse).
 *
 * Each group has an `identity` case: the encryption layer in place with
 * nothing encrypted, i.e. the layer's own cost.
 *
 * Run: `deno bench -A bench/encryption_bench.ts` (or `deno task bench`).
 *
 * Over HTTPS, as a client sees it: `deno run -A bench/encryption_bench.ts
 * https [rounds] [batch]` (two real server processes, see `overHttps`).
 *
 * Inside the process, the figures come from the interleaved form,
 * `deno run -A bench/encryption_bench.ts interleaved [rounds] [batch]`: in
 * every round each case makes `batch` creates, the cases taking turns create
 * by create in a rotating order and each create timed alone, so stalls of
 * the shared machine hit all cases alike; it prints the median over rounds
 * of each case's creates per second as a share of the baseline's.
 *
 * @module
 */

import { type ApiServer, createApiServer } from "../apiserver/mod.ts";
import { openSqliteStoreFactory } from "../backends/sqlite/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { cachedStoreFactory } from "../storage/cacher/mod.ts";
import {
  encryptedStoreFactory,
  EncryptionProviders,
  guardedStoreFactory,
  parseEncryptionConfig,
} from "../storage/encryption/mod.ts";
import { encodeObject, objectKey, type StoreFactory } from "../storage/mod.ts";
import { ownCpuMicros } from "./_cpu.ts";

const KEY = btoa("k".repeat(32));
const PROVIDERS = {
  identity: `{identity: {}}`,
  aesgcm: `{aesgcm: {keys: [{name: k1, secret: "${KEY}"}]}}`,
  aescbc: `{aescbc: {keys: [{name: k1, secret: "${KEY}"}]}}`,
  secretbox: `{secretbox: {keys: [{name: k1, secret: "${KEY}"}]}}`,
};
type Provider = keyof typeof PROVIDERS;

function providers(p: Provider): EncryptionProviders {
  return new EncryptionProviders(parseEncryptionConfig(`
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers: [${PROVIDERS[p]}${p === "identity" ? "" : ", {identity: {}}"}]
`));
}

/** Extra bytes of data per Secret (`PAYLOAD=700` gives ~1 KiB Secrets). */
const PAYLOAD = Number(Deno.env.get("PAYLOAD") ?? "0");
/** Creates in flight at once in the interleaved form (`INFLIGHT=16`). */
const INFLIGHT = Number(Deno.env.get("INFLIGHT") ?? "1");

const dir = Deno.makeTempDirSync({ prefix: "hyperplane-bench-enc-" });
const toClose: StoreFactory[] = [];
globalThis.addEventListener("unload", () => {
  for (const f of toClose) void f.close();
  Deno.removeSync(dir, { recursive: true });
});

/** The server's storage stack over a fresh sqlite file, with or without encryption. */
function stack(name: string, p?: Provider): StoreFactory {
  const backend = openSqliteStoreFactory({ path: `${dir}/${name}.db` });
  const storage = p
    ? guardedStoreFactory(
      cachedStoreFactory(
        encryptedStoreFactory(backend, providers(p), silentLogger),
      ),
    )
    : cachedStoreFactory(backend);
  toClose.push(storage);
  return storage;
}

/**
 * A Secret as `kubectl create secret generic --from-literal …` sends it
 * (two short keys), plus `PAYLOAD` bytes of data.
 */
function secret(name: string) {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "default", labels: { app: "bench" } },
    type: "Opaque",
    data: {
      username: btoa("admin"),
      password: btoa(crypto.randomUUID()),
      ...(PAYLOAD > 0 ? { "tls.key": btoa("k".repeat(PAYLOAD)) } : {}),
    },
  };
}

const user = { username: "admin", groups: ["system:masters"] };

async function apiCreator(name: string, p?: Provider) {
  const api: ApiServer = await createApiServer({
    storage: stack(`api-${name}`, p),
    logger: silentLogger,
  });
  let i = 0;
  return async () => {
    const res = await api.handler(
      new Request("http://bench/api/v1/namespaces/default/secrets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(secret(`s${i++}`)),
      }),
      { user },
    );
    if (res.status !== 201) throw new Error(await res.text());
    await res.body?.cancel();
  };
}

function storeCreator(name: string, p?: Provider) {
  const store = stack(`store-${name}`, p).storeFor({ resource: "secrets" });
  let i = 0;
  return async () => {
    const n = `s${i++}`;
    await store.create(
      objectKey({
        resource: "secrets",
        cluster: "root",
        namespace: "default",
        name: n,
      }),
      {
        ...secret(n),
        metadata: { ...secret(n).metadata, uid: crypto.randomUUID() },
      },
    );
  };
}

const cases: [string, Provider | undefined][] = [
  ["no encryption", undefined],
  ["identity", "identity"],
  ["aesgcm", "aesgcm"],
  ["aescbc", "aescbc"],
  ["secretbox", "secretbox"],
];

/**
 * Creates over HTTPS against two real `hyperplane server` processes (sqlite,
 * one with `--encryption-provider-config` aesgcm for secrets), `INFLIGHT`
 * at a time, the servers taking turns round by round: what a client sees.
 */
async function overHttps(rounds: number, batch: number): Promise<void> {
  const { startServer } = await import("../tests/support/server.ts");
  const config = `${dir}/encryption.yaml`;
  await Deno.writeTextFile(
    config,
    `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers: [${PROVIDERS.aesgcm}, {identity: {}}]
`,
  );
  const inflight = Math.max(INFLIGHT, 1);
  const servers = [
    await startServer({ args: ["--controllers", "-*"] }),
    await startServer({
      args: ["--controllers", "-*", "--encryption-provider-config", config],
    }),
  ];
  try {
    let n = 0;
    const create = async (s: (typeof servers)[number]) => {
      const res = await s.fetch("/api/v1/namespaces/default/secrets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(secret(`h${n++}`)),
      });
      if (res.status !== 201) throw new Error(await res.text());
      await res.body?.cancel();
    };
    const round = async (s: (typeof servers)[number]) => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: inflight }, async () => {
          while (next++ < batch) await create(s);
        }),
      );
      return performance.now() - t0;
    };
    for (const s of servers) await round(s); // warm
    const ratios: number[] = [];
    const totals = [0, 0];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      const spent = [0, 0];
      for (const i of order) spent[i] = await round(servers[i]);
      ratios.push(spent[0] / spent[1]);
      totals[0] += spent[0];
      totals[1] += spent[1];
    }
    ratios.sort((a, b) => a - b);
    const rate = (ms: number) => ((rounds * batch) / (ms / 1000)).toFixed(0);
    console.log(
      `secret create over HTTPS (two server processes, sqlite), ${rounds} rounds × ${batch} creates, ${inflight} in flight:`,
    );
    console.log(`  no encryption  ${rate(totals[0])} creates/s`);
    console.log(
      `  aesgcm         ${rate(totals[1])} creates/s  ${
        (ratios[Math.floor(rounds / 2)] * 100).toFixed(1)
      }% of no encryption (median of rounds)`,
    );
  } finally {
    for (const s of servers) await s.stop();
  }
}

if (Deno.args[0] === "https") {
  await overHttps(Number(Deno.args[1] ?? 20), Number(Deno.args[2] ?? 200));
  Deno.exit(0);
}
if (Deno.args[0] === "interleaved") {
  await interleaved(Number(Deno.args[1] ?? 30), Number(Deno.args[2] ?? 50));
  Deno.exit(0); // the API servers' caches would keep the process alive
}

for (const [label, p] of cases) {
  const create = await apiCreator(label.replace(" ", "-"), p);
  Deno.bench({
    name: label,
    group: "secret create (API, sqlite)",
    baseline: p === undefined,
    fn: create,
  });
}

for (const [label, p] of cases) {
  const create = storeCreator(label.replace(" ", "-"), p);
  Deno.bench({
    name: label,
    group: "secret create (store, sqlite)",
    baseline: p === undefined,
    fn: create,
  });
}

/** Rounds of `batch` creates per case, interleaved; prints median ratios. */
async function interleaved(rounds: number, batch: number): Promise<void> {
  for (const group of ["API", "store"] as const) {
    const creates = await Promise.all(
      cases.map(([label, p]) =>
        group === "API"
          ? apiCreator(`i-${label.replace(" ", "-")}`, p)
          : Promise.resolve(storeCreator(`i-${label.replace(" ", "-")}`, p))
      ),
    );
    for (let w = 0; w < 50; w++) for (const c of creates) await c(); // warm
    const ratios: number[][] = cases.map(() => []);
    const totals = cases.map(() => 0);
    // CPU time of this process per case (µs): swings far less with the
    // machine's load than the wall clock.
    const cpu = cases.map(() => 0);
    for (let r = 0; r < rounds; r++) {
      const spent = cases.map(() => 0);
      for (let j = 0; j < batch; j += INFLIGHT) {
        for (let k = 0; k < cases.length; k++) {
          const c = (j + k) % cases.length;
          const c0 = ownCpuMicros();
          const t0 = performance.now();
          await Promise.all(
            Array.from({ length: INFLIGHT }, () => creates[c]()),
          );
          spent[c] += performance.now() - t0;
          cpu[c] += ownCpuMicros() - c0;
        }
      }
      spent.forEach((ms, c) => {
        ratios[c].push(spent[0] / ms);
        totals[c] += ms;
      });
    }
    const median = (xs: number[]) =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `secret create (${group}, sqlite), ${rounds} rounds × ${batch} creates per case, ${INFLIGHT} in flight:`,
    );
    const n = rounds * Math.ceil(batch / INFLIGHT) * INFLIGHT;
    cases.forEach(([label], c) => {
      const perSec = n / (totals[c] / 1000);
      console.log(
        `  ${label.padEnd(14)} ${perSec.toFixed(0).padStart(6)} creates/s  ${
          (median(ratios[c]) * 100).toFixed(1)
        }% of no encryption (median of rounds); CPU ${
          (cpu[c] / n).toFixed(0)
        } µs/create, ${(cpu[0] / cpu[c] * 100).toFixed(1)}% by CPU`,
      );
    });
  }
}

const JSON_1K = encodeObject({ ...secret("t"), metadata: { name: "t" } });
for (const [label, p] of cases.slice(1)) {
  const t = providers(p!).transformerFor({ resource: "secrets" });
  const key = "/registry/secrets/clusters/root/default/t";
  Deno.bench({
    name: label,
    group: "transform 1 KiB",
    baseline: p === "identity",
    fn: () => {
      const stored = t.toStorage(JSON_1K, key);
      stored.metadata.resourceVersion = "7";
      t.fromStorage(stored, key);
    },
  });
}
