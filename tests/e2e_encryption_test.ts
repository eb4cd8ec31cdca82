/**
 * End-to-end: encryption at rest with `--encryption-provider-config`.
 *
 * - sqlite: Secrets written with kubectl are ciphertext in `state.db` (read
 *   here with node:sqlite after the server stopped), kubectl reads them
 *   back; key rotation as upstream documents it (new key first, restart,
 *   `kubectl get secrets -A -o json | kubectl replace -f -`, old key
 *   removed, restart, still readable); a wrong key is a 500 with upstream's
 *   message for those Secrets only, logged, the server keeps serving;
 *   `/metrics` counts transformations.
 * - memory: every provider round-trips through the API.
 * - etcd (when installed): `etcdctl get` shows no plaintext.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startServer, type TestServer } from "./support/server.ts";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import {
  etcdBinary,
  etcdServerArgs,
  skipWithoutEtcd,
  startEtcd,
} from "./support/etcd.ts";

const KEY1 = btoa("1".repeat(32));
const KEY2 = btoa("2".repeat(32));
const WRONG = btoa("w".repeat(32));
const PLAIN = ["TOPSECRET-alpha-7d1f", "TOPSECRET-beta-93aa"];

function encryptionConfig(providers: string, withVaults = false): string {
  return `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
${providers}
${
    withVaults
      ? `  - resources: [vaults.enc.example.com]
    providers:
      - secretbox: {keys: [{name: vk, secret: "${KEY2}"}]}
`
      : ""
  }`;
}

const VAULT_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: vaults.enc.example.com}
spec:
  group: enc.example.com
  scope: Namespaced
  names: {plural: vaults, singular: vault, kind: Vault}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
const VAULT_PLAIN = "VAULT-PLAINTEXT-5c0e";

const aesgcm = (...keys: [string, string][]) =>
  `      - aesgcm:
          keys:
${
    keys.map(([n, s]) => `            - {name: ${n}, secret: "${s}"}`).join(
      "\n",
    )
  }`;
const IDENTITY = "      - identity: {}";

/** Every stored value of every Secret key, read from the database file. */
function storedSecrets(dbPath: string): { key: string; value: string }[] {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare(
      "SELECT key, value FROM log WHERE key LIKE '/registry/secrets/%' AND value IS NOT NULL",
    ).all() as { key: string; value: string }[];
  } finally {
    db.close();
  }
}

/** The whole database directory as text: no plaintext may appear anywhere. */
async function rawBytes(dir: string): Promise<string> {
  let out = "";
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.startsWith("state.db")) {
      out += new TextDecoder("latin1").decode(
        await Deno.readFile(join(dir, e.name)),
      );
    }
  }
  return out;
}

async function secretValue(kubectl: Kubectl, ns: string, name: string) {
  const r = await kubectl([
    "get",
    "secret",
    name,
    "-n",
    ns,
    "-o",
    "jsonpath={.data.password}",
  ]);
  return atob(r.stdout);
}

Deno.test("encryption at rest on sqlite: no plaintext in state.db, kubectl reads back, rotation, wrong key", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "e2e encryption")) return;
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-enc-" });
  const configFile = join(dataDir, "..", `${crypto.randomUUID()}-enc.yaml`);
  const db = join(dataDir, "state.db");
  const start = () =>
    startServer({
      dataDir,
      args: [
        "--encryption-provider-config",
        configFile,
        "--controllers",
        "-*",
      ],
    });
  let server: TestServer | undefined;
  try {
    await Deno.writeTextFile(
      configFile,
      encryptionConfig(`${aesgcm(["key1", KEY1])}\n${IDENTITY}`, true),
    );
    server = await start();
    let kubectl = kubectlFor(tools!.kubectl, server);
    await kubectl(["create", "namespace", "other"]);
    await kubectl([
      "create",
      "secret",
      "generic",
      "s1",
      "-n",
      "default",
      `--from-literal=password=${PLAIN[0]}`,
    ]);
    await kubectl([
      "create",
      "secret",
      "generic",
      "s2",
      "-n",
      "other",
      `--from-literal=password=${PLAIN[1]}`,
    ]);
    await kubectl(["apply", "-f", "-"], { stdin: VAULT_CRD });
    await kubectl([
      "wait",
      "--for",
      "condition=established",
      "crd/vaults.enc.example.com",
      "--timeout=60s",
    ]);
    await kubectl(["apply", "-f", "-"], {
      stdin: `apiVersion: enc.example.com/v1
kind: Vault
metadata: {name: v1, namespace: default}
spec: {secret: ${VAULT_PLAIN}}
`,
    });
    await kubectl([
      "create",
      "configmap",
      "visible",
      "--from-literal=note=PLAINTEXT-CONFIGMAP-OK",
    ]);

    await t.step(
      "kubectl reads the Secrets and the custom resource back",
      async () => {
        assert.equal(await secretValue(kubectl, "default", "s1"), PLAIN[0]);
        assert.equal(await secretValue(kubectl, "other", "s2"), PLAIN[1]);
        const v = await kubectl([
          "get",
          "vault",
          "v1",
          "-o",
          "jsonpath={.spec.secret}",
        ]);
        assert.equal(v.stdout, VAULT_PLAIN);
      },
    );

    await t.step("/metrics counts the transformations", async () => {
      const text = await (await server!.fetch("/metrics")).text();
      assert.match(
        text,
        /apiserver_storage_transformation_operations_total\{transformation_type="to_storage",transformer_prefix="k8s:enc:aesgcm:v1:",status="OK"\} [1-9]/,
      );
    });

    await server.stop();
    await t.step(
      "state.db holds no plaintext of the Secrets' data",
      async () => {
        const rows = storedSecrets(db);
        assert.ok(rows.length >= 2);
        for (const r of rows) {
          assert.match(r.value, /"value":"k8s:enc:aesgcm:v1:key1:/);
        }
        const raw = await rawBytes(dataDir);
        for (const p of PLAIN) {
          assert.ok(!raw.includes(p), `plaintext ${p} in state.db`);
          assert.ok(!raw.includes(btoa(p)), `base64 of ${p} in state.db`);
        }
        assert.ok(!raw.includes(VAULT_PLAIN), "custom resource in plaintext");
        assert.match(raw, /k8s:enc:secretbox:v1:vk:/);
        // The search would find it: unencrypted resources are plain.
        assert.ok(raw.includes("PLAINTEXT-CONFIGMAP-OK"));
      },
    );

    await t.step(
      "rotation: the new key first, restart, replace all Secrets, drop the old key",
      async () => {
        await Deno.writeTextFile(
          configFile,
          encryptionConfig(
            `${aesgcm(["key2", KEY2], ["key1", KEY1])}\n${IDENTITY}`,
            true,
          ),
        );
        server = await start();
        kubectl = kubectlFor(tools!.kubectl, server);
        const all = await kubectl(["get", "secrets", "-A", "-o", "json"]);
        await kubectl(["replace", "-f", "-"], { stdin: all.stdout });
        await server.stop();
        const rows = storedSecrets(db);
        const live = new Map<string, string>();
        for (const r of rows) live.set(r.key, r.value); // rows in rev order
        for (const [key, value] of live) {
          assert.match(value, /"value":"k8s:enc:aesgcm:v1:key2:/, key);
        }
        await Deno.writeTextFile(
          configFile,
          encryptionConfig(aesgcm(["key2", KEY2]), true),
        );
        server = await start();
        kubectl = kubectlFor(tools!.kubectl, server);
        assert.equal(await secretValue(kubectl, "default", "s1"), PLAIN[0]);
        assert.equal(await secretValue(kubectl, "other", "s2"), PLAIN[1]);
        const v = await kubectl([
          "get",
          "vault",
          "v1",
          "-o",
          "jsonpath={.spec.secret}",
        ]);
        assert.equal(v.stdout, VAULT_PLAIN);
        await server.stop();
      },
    );

    await t.step(
      "a wrong key is a 500 with upstream's message for each Secret; the server keeps serving",
      async () => {
        await Deno.writeTextFile(
          configFile,
          encryptionConfig(aesgcm(["key2", WRONG]), true),
        );
        server = await start();
        kubectl = kubectlFor(tools!.kubectl, server);
        const r = await kubectl(["get", "secret", "s1", "-n", "default"], {
          check: false,
        });
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /Error from server \(InternalError\): Internal error occurred: StorageError: corrupt object, Code: 7, Key: \/registry\/secrets\/clusters\/root\/default\/s1, ResourceVersion: 0, AdditionalErrorMsg: data from the storage is not transformable revision=\d+: cipher: message authentication failed/,
        );
        const res = await server.fetch("/api/v1/namespaces/other/secrets/s2");
        assert.equal(res.status, 500);
        const status = await res.json();
        assert.equal(status.reason, "InternalError");
        // A corrupt object's error names its key: the operator removes it
        // with the unsafe delete (see tests/e2e_corrupt_objects_test.ts).
        assert.match(
          status.message,
          /Key: \/registry\/secrets\/clusters\/root\/other\/s2, /,
        );
        const list = await kubectl(["get", "secrets", "-A"], { check: false });
        assert.notEqual(list.code, 0);
        // Everything else is served.
        await kubectl(["get", "configmap", "visible"]);
        await kubectl([
          "create",
          "secret",
          "generic",
          "fresh",
          "--from-literal=password=x",
        ]);
        assert.equal(await secretValue(kubectl, "default", "fresh"), "x");
        assert.match(server.stderrTail(), /failed to decrypt a stored value/);
        const metrics = await (await server.fetch("/metrics")).text();
        assert.match(
          metrics,
          /transformation_type="from_storage",transformer_prefix="k8s:enc:aesgcm:v1:",status="Unknown"\} [1-9]/,
        );
      },
    );
  } finally {
    await server?.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    await Deno.remove(configFile).catch(() => {});
  }
});

Deno.test("every provider round-trips Secrets through the API on the memory backend", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "e2e encryption providers")) return;
  const configFile = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    const providers = {
      aesgcm: `      - aesgcm: {keys: [{name: k, secret: "${KEY1}"}]}`,
      aescbc: `      - aescbc: {keys: [{name: k, secret: "${KEY1}"}]}`,
      secretbox: `      - secretbox: {keys: [{name: k, secret: "${KEY1}"}]}`,
      identity: IDENTITY,
    };
    for (const [name, yaml] of Object.entries(providers)) {
      await Deno.writeTextFile(configFile, encryptionConfig(yaml));
      await using server = await startServer({
        args: [
          "--storage-backend",
          "memory",
          "--encryption-provider-config",
          configFile,
          "--controllers",
          "-*",
        ],
      });
      const kubectl = kubectlFor(tools!.kubectl, server);
      await kubectl([
        "create",
        "secret",
        "generic",
        "s",
        `--from-literal=password=${name}-value`,
      ]);
      assert.equal(await secretValue(kubectl, "default", "s"), `${name}-value`);
      await kubectl([
        "patch",
        "secret",
        "s",
        "-p",
        '{"stringData":{"password":"patched"}}',
      ]);
      assert.equal(await secretValue(kubectl, "default", "s"), "patched");
      await kubectl(["delete", "secret", "s"]);
    }
  } finally {
    await Deno.remove(configFile);
  }
});

Deno.test("etcd: etcdctl get shows no plaintext of an encrypted Secret", async () => {
  if (skipWithoutEtcd("e2e encryption on etcd")) return;
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
  if (skipWithoutKubeTools(tools, "e2e encryption on etcd")) return;
  const etcd = await startEtcd();
  const configFile = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(
      configFile,
      encryptionConfig(
        `      - secretbox: {keys: [{name: k, secret: "${KEY1}"}]}`,
      ),
    );
    await using server = await startServer({
      args: [
        ...etcdServerArgs(etcd),
        "--encryption-provider-config",
        configFile,
        "--controllers",
        "-*",
      ],
    });
    const kubectl = kubectlFor(tools!.kubectl, server);
    await kubectl([
      "create",
      "secret",
      "generic",
      "s",
      `--from-literal=password=${PLAIN[0]}`,
    ]);
    assert.equal(await secretValue(kubectl, "default", "s"), PLAIN[0]);
    const got = await runTool(etcdctl, [
      "--endpoints",
      etcd.endpoints.join(","),
      "get",
      "--prefix",
      "/registry/secrets/",
    ], { env: { ETCDCTL_API: "3" } });
    assert.match(got.stdout, /k8s:enc:secretbox:v1:k:/);
    assert.ok(!got.stdout.includes(PLAIN[0]));
    assert.ok(!got.stdout.includes(btoa(PLAIN[0])));
  } finally {
    await Deno.remove(configFile);
    await etcd.stop();
  }
});

Deno.test("--encryption-provider-config-automatic-reload=true picks up a changed file without a restart", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "e2e encryption reload")) return;
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-enc-reload-" });
  const configFile = join(dir, "enc.yaml");
  try {
    await Deno.writeTextFile(configFile, encryptionConfig(IDENTITY));
    await using server = await startServer({
      args: [
        "--storage-backend",
        "memory",
        "--encryption-provider-config",
        configFile,
        "--encryption-provider-config-automatic-reload=true",
        "--controllers",
        "-*",
      ],
    });
    const kubectl = kubectlFor(tools!.kubectl, server);
    const gcmWrites = async () => {
      const text = await (await server.fetch("/metrics")).text();
      const m =
        /transformation_type="to_storage",transformer_prefix="k8s:enc:aesgcm:v1:",status="OK"\} (\d+)/
          .exec(text);
      return m ? Number(m[1]) : 0;
    };
    await kubectl([
      "create",
      "secret",
      "generic",
      "before",
      "--from-literal=a=b",
    ]);
    assert.equal(await gcmWrites(), 0);
    // Replaced by rename, as a config map volume does.
    await Deno.writeTextFile(
      `${configFile}.new`,
      encryptionConfig(aesgcm(["k", KEY1]) + "\n" + IDENTITY),
    );
    await Deno.rename(`${configFile}.new`, configFile);
    const deadline = Date.now() + 15_000;
    let n = 0;
    while (Date.now() < deadline) {
      await kubectl([
        "create",
        "secret",
        "generic",
        `after-${n++}`,
        "--from-literal=a=b",
      ]);
      if (await gcmWrites() > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(await gcmWrites() > 0, "writes are encrypted after the reload");
    assert.match(server.stderrTail(), /encryption provider config reloaded/);
    // The Secret written before is still readable (identity reads it).
    await kubectl(["get", "secret", "before"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
