/**
 * Virtual clusters end to end with the real kubectl v1.35 against a real
 * `hyperplane server`, on SQLite and on etcd: the root admin `kubectl
 * apply`s a VirtualCluster naming alice in `spec.admins`; `hyperplane
 * kubeconfig --cluster` gives alice a certificate; alice creates a CRD and
 * custom resources in her cluster and cannot see root or another cluster;
 * `kubectl get virtualclusters` lists them with phase and object count;
 * `kubectl delete virtualcluster` removes every key of the cluster from the
 * backend itself (the SQLite file; `etcdctl get --prefix`) and the path
 * answers 404. Undeclared clusters, bad names and `root` are refused.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  projectRoot,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import {
  etcdBinary,
  etcdServerArgs,
  skipWithoutEtcd,
  startEtcd,
} from "./support/etcd.ts";
import { startServer, type TestServer } from "./support/server.ts";

const DENO = Deno.execPath();

async function hyperplane(args: string[]) {
  return await runTool(DENO, [
    "run",
    "-A",
    `${projectRoot()}/main.ts`,
    ...args,
  ]);
}

const VC_A = `apiVersion: tenancy.hyperplane.dev/v1alpha1
kind: VirtualCluster
metadata: {name: team-a}
spec:
  admins:
  - {kind: User, name: alice}
`;

const VC_B = `apiVersion: tenancy.hyperplane.dev/v1alpha1
kind: VirtualCluster
metadata: {name: team-b}
`;

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {type: integer}}}
`;

function widget(i: number): string {
  return `apiVersion: example.com/v1
kind: Widget
metadata: {name: w-${i}, namespace: default}
spec: {size: ${i}}
`;
}

/** Counts the keys of `cluster` in the backend itself. */
type KeyCounter = (cluster: string) => Promise<number>;

async function scenario(
  t: Deno.TestContext,
  server: TestServer,
  kubectl: string,
  keysOf: KeyCounter,
): Promise<void> {
  const admin = kubectlFor(kubectl, server);
  const dir = server.dataDir;
  const at =
    (cluster: string, k: Kubectl) =>
    (args: string[], opts?: Parameters<Kubectl>[1]) =>
      k(["--server", `${server.url}/clusters/${cluster}`, ...args], opts);

  await t.step("undeclared clusters are 404", async () => {
    const r = await at("team-a", admin)(["get", "ns"], { check: false });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/); // kubectl's discovery hides the message
    const res = await server.fetch("/clusters/team-a/api/v1/namespaces");
    assert.equal(res.status, 404);
    assert.equal((await res.json()).message, 'cluster "team-a" not found');
  });

  await t.step("kubectl apply a VirtualCluster; it becomes Ready", async () => {
    await admin(["apply", "-f", "-"], { stdin: VC_A });
    await admin(["apply", "-f", "-"], { stdin: VC_B });
    for (const vc of ["team-a", "team-b"]) {
      await admin([
        "wait",
        "--for=jsonpath={.status.phase}=Ready",
        `virtualcluster/${vc}`,
        "--timeout=60s",
      ]);
    }
    const list = await admin(["get", "vc"]);
    const lines = list.stdout.trim().split("\n");
    assert.match(lines[0], /^NAME\s+PHASE\s+OBJECTS\s+AGE$/);
    assert.match(lines[1], /^team-a\s+Ready\s+\d+\s+\S+$/);
    const ns = await at("team-a", admin)(["get", "ns", "-o", "name"]);
    assert.match(ns.stdout, /namespace\/kube-system/);
  });

  await t.step("bad names and root are refused, nothing changes", async () => {
    for (const name of ["Team-C", "x".repeat(64), "root"]) {
      const r = await admin(["create", "-f", "-"], {
        stdin:
          `apiVersion: tenancy.hyperplane.dev/v1alpha1\nkind: VirtualCluster\nmetadata: {name: ${name}}\n`,
        check: false,
      });
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, /is invalid/, name);
    }
    const del = await admin(["delete", "vc", "root"], { check: false });
    assert.notEqual(del.code, 0);
    assert.match(
      del.stderr,
      /virtualclusters.tenancy.hyperplane.dev "root" is forbidden: the root cluster always exists and cannot be deleted/,
    );
    for (const path of ["Team-C", "a%2Fb", "%C3%BC"]) {
      const r = await server.fetch(`/clusters/${path}/api/v1/namespaces`);
      assert.equal(r.status, 400, path);
      await r.body?.cancel();
    }
    const names = await admin(["get", "vc", "-o", "name"]);
    assert.deepEqual(names.stdout.trim().split("\n").sort(), [
      "virtualcluster.tenancy.hyperplane.dev/team-a",
      "virtualcluster.tenancy.hyperplane.dev/team-b",
    ]);
  });

  await t.step("alice administers team-a only", async () => {
    await hyperplane([
      "kubeconfig",
      "--data-dir",
      dir,
      "--user",
      "alice",
      "--cluster",
      "team-a",
      "--output",
      `${dir}/alice.kubeconfig`,
    ]);
    const alice = kubectlFor(kubectl, {
      kubeconfigPath: `${dir}/alice.kubeconfig`,
      dataDir: dir,
    });
    await alice(["apply", "-f", "-"], { stdin: CRD });
    await alice([
      "wait",
      "--for=condition=Established",
      "crd/widgets.example.com",
      "--timeout=60s",
    ]);
    for (let i = 0; i < 5; i++) {
      await alice(["apply", "-f", "-"], { stdin: widget(i) });
    }
    const got = await alice(["get", "widgets", "-o", "name"]);
    assert.equal(got.stdout.trim().split("\n").length, 5);
    await alice(["create", "configmap", "mine", "--from-literal=a=b"]);
    const root = await alice(["--server", server.url, "get", "ns"], {
      check: false,
    });
    assert.notEqual(root.code, 0);
    assert.match(root.stderr, /forbidden/i);
    const other = await at("team-b", alice)(["get", "ns"], { check: false });
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /forbidden/i);
  });

  await t.step("kubectl delete virtualcluster removes every key", async () => {
    const before = await keysOf("team-a");
    assert.ok(before > 20, `team-a holds ${before} keys`);
    const keptB = await keysOf("team-b");
    await admin(["delete", "virtualcluster", "team-a", "--timeout=60s"]);
    assert.equal(await keysOf("team-a"), 0);
    assert.equal(await keysOf("team-b"), keptB);
    const r = await at("team-a", admin)(["get", "ns"], { check: false });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/);
    const w = await server.fetch(
      "/clusters/team-a/apis/example.com/v1/widgets",
    );
    assert.equal(w.status, 404);
    assert.equal((await w.json()).message, 'cluster "team-a" not found');
  });
}

Deno.test("virtual clusters on SQLite: declare, use as an admin, delete every key", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "virtual clusters e2e")) return;
  await using server = await startServer({ args: ["--controllers=*"] });
  // The server holds the database exclusively: count in a consistent
  // online copy (`hyperplane snapshot save`, restored to a scratch dir).
  const keysOf: KeyCounter = async (cluster) => {
    const tmp = await Deno.makeTempDir();
    try {
      await hyperplane([
        "snapshot",
        "save",
        `${tmp}/snap`,
        "--data-dir",
        server.dataDir,
      ]);
      await hyperplane([
        "snapshot",
        "restore",
        `${tmp}/snap`,
        "--data-dir",
        `${tmp}/restored`,
      ]);
      const db = new DatabaseSync(`${tmp}/restored/state.db`, {
        readOnly: true,
      });
      try {
        const row = db.prepare(
          "SELECT count(*) AS n FROM kv WHERE key LIKE ?",
        ).get(`/registry/%/clusters/${cluster}/%`) as { n: number };
        return Number(row.n);
      } finally {
        db.close();
      }
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  };
  await scenario(t, server, tools!.kubectl, keysOf);
});

Deno.test("virtual clusters on etcd: delete removes every key (etcdctl get --prefix)", async (t) => {
  if (skipWithoutEtcd("virtual clusters e2e on etcd")) return;
  const etcdctl = etcdBinary()!.replace(/etcd$/, "etcdctl");
  try {
    Deno.statSync(etcdctl);
  } catch {
    if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
      throw new Error(`${etcdctl} missing (apt-get install etcd-client)`);
    }
    console.error(`SKIPPED: ${etcdctl} missing (apt-get install etcd-client)`);
    return;
  }
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "virtual clusters e2e on etcd")) return;
  const etcd = await startEtcd();
  try {
    await using server = await startServer({
      args: [
        ...etcdServerArgs(etcd),
      ],
    });
    const keysOf: KeyCounter = async (cluster) => {
      const r = await runTool(etcdctl, [
        "--endpoints",
        etcd.endpoints.join(","),
        "get",
        "--prefix",
        "/registry/",
        "--keys-only",
      ], { env: { ETCDCTL_API: "3" } });
      return r.stdout.split("\n").filter((k) =>
        k.includes(`/clusters/${cluster}/`)
      ).length;
    };
    await scenario(t, server, tools!.kubectl, keysOf);
  } finally {
    await etcd.stop();
  }
});
