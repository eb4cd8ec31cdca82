/**
 * End to end: a real `hyperplane apiserver` child (no controllers), two
 * `hyperplane controller-manager` children against it (one leader), and
 * real kubectl. Covers cascading deletion, dangling owners, namespace
 * deletion with content, the terminating-namespace refusal, the default
 * service account and kube-root-ca.crt, and leader failover.
 */

import assert from "node:assert/strict";
import { startServer, type TestServer } from "./support/server.ts";
import {
  kubeTools,
  projectRoot,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";

/** A controller-manager child whose stderr is kept. */
class ControllerManagerChild {
  readonly child: Deno.ChildProcess;
  log = "";
  readonly #done: Promise<void>;

  constructor(kubeconfig: string) {
    this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${projectRoot()}/main.ts`,
        "controller-manager",
        "--kubeconfig",
        kubeconfig,
        "--leader-elect-lease-duration",
        "3s",
        "--leader-elect-renew-deadline",
        "2s",
        "--leader-elect-retry-period",
        "500ms",
      ],
      stdout: "null",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const stderr = this.child.stderr;
    this.#done = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of stderr) {
        this.log += dec.decode(chunk);
        if (this.log.length > 200_000) this.log = this.log.slice(-100_000);
      }
    })();
  }

  get leads(): boolean {
    return this.log.includes('msg="became leader"');
  }

  async kill(signal: Deno.Signal = "SIGTERM"): Promise<void> {
    try {
      this.child.kill(signal);
    } catch {
      // already exited
    }
    await this.child.status;
    await this.#done;
  }
}

async function eventually(
  cond: () => Promise<boolean> | boolean,
  what: string,
  tries = 600,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function kubectlFor(bin: string, server: TestServer) {
  return async (
    args: string[],
    opts: { check?: boolean; stdin?: string } = {},
  ) =>
    await runTool(bin, ["--kubeconfig", server.kubeconfigPath, ...args], opts);
}

const manifest = (ns: string, owner: string, deps: number, uid: string) =>
  Array.from({ length: deps }, (_, i) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: `${owner}-dep-${i}`,
        namespace: ns,
        ownerReferences: [{
          apiVersion: "v1",
          kind: "ConfigMap",
          name: owner,
          uid,
          blockOwnerDeletion: true,
        }],
      },
    })).join("\n");

Deno.test("controller-manager against a separate API server, driven by kubectl", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "controllers e2e")) return;
  await using server = await startServer({
    command: "apiserver",
    args: ["--storage-backend", "memory"],
  });
  const kubectl = kubectlFor(tools!.kubectl, server);
  // Typed generators (`kubectl create namespace`) send protobuf bodies and
  // `apply` downloads OpenAPI, neither served yet: objects are created from
  // JSON manifests (unstructured, sent as JSON) without client validation.
  const create = (...objs: unknown[]) =>
    kubectl(["create", "--validate=false", "-f", "-"], {
      stdin: objs.map((o) => JSON.stringify(o)).join("\n"),
    });
  const namespace = (name: string) =>
    create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  const a = new ControllerManagerChild(server.kubeconfigPath);
  const b = new ControllerManagerChild(server.kubeconfigPath);
  try {
    await eventually(() => a.leads || b.leads, "a leader");
    assert.ok(!(a.leads && b.leads), "only one manager leads");

    await t.step(
      "a new namespace gets its default service account and kube-root-ca.crt",
      async () => {
        await namespace("e2e");
        await eventually(
          async () =>
            (await kubectl(["get", "sa", "default", "-n", "e2e"], {
              check: false,
            }))
              .code === 0,
          "default SA",
        );
        await eventually(
          async () =>
            (await kubectl(["get", "cm", "kube-root-ca.crt", "-n", "e2e"], {
              check: false,
            })).code === 0,
          "kube-root-ca.crt",
        );
        const ca = await kubectl([
          "get",
          "cm",
          "kube-root-ca.crt",
          "-n",
          "e2e",
          "-o",
          "jsonpath={.data.ca\\.crt}",
        ]);
        assert.equal(ca.stdout, server.caCert);
      },
    );

    const ownerWithDeps = async (name: string, deps: number) => {
      await create({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace: "e2e" },
      });
      const uid = (await kubectl([
        "get",
        "cm",
        name,
        "-n",
        "e2e",
        "-o",
        "jsonpath={.metadata.uid}",
      ])).stdout;
      await kubectl(["create", "--validate=false", "-f", "-"], {
        stdin: manifest("e2e", name, deps, uid),
      });
    };
    const count = async (prefix: string) =>
      (await kubectl(["get", "cm", "-n", "e2e", "-o", "name"])).stdout
        .split("\n").filter((l) => l.startsWith(`configmap/${prefix}`)).length;

    await t.step(
      "kubectl delete --cascade=background removes the dependents",
      async () => {
        await ownerWithDeps("bg", 10);
        await kubectl([
          "delete",
          "cm",
          "bg",
          "-n",
          "e2e",
          "--cascade=background",
        ]);
        await eventually(
          async () => await count("bg") === 0,
          "dependents gone",
        );
      },
    );

    await t.step(
      "a dangling owner reference gets its dependent removed",
      async () => {
        await kubectl(["create", "--validate=false", "-f", "-"], {
          stdin: manifest("e2e", "ghost", 1, crypto.randomUUID()),
        });
        await eventually(
          async () => await count("ghost") === 0,
          "dependent gone",
        );
      },
    );

    await t.step(
      "kubectl delete namespace with content finishes and creates are refused meanwhile",
      async () => {
        await namespace("big");
        const objs = Array.from({ length: 300 }, (_, i) =>
          JSON.stringify({
            apiVersion: "v1",
            kind: i % 2 ? "Secret" : "ConfigMap",
            metadata: { name: `obj-${i}`, namespace: "big" },
          })).join("\n");
        await kubectl(["create", "--validate=false", "-f", "-"], {
          stdin: objs,
        });
        await kubectl(["delete", "namespace", "big", "--wait=false"]);
        const refused = await server.fetch(
          "/api/v1/namespaces/big/configmaps",
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ metadata: { name: "late" } }),
          },
        );
        const status = await refused.json();
        // Forbidden while terminating; NotFound once the namespace is gone.
        assert.ok([403, 404].includes(refused.status), JSON.stringify(status));
        if (refused.status === 403) {
          assert.match(
            status.message,
            /unable to create new content in namespace big because it is being terminated/,
          );
        }
        await eventually(
          async () =>
            (await kubectl(["get", "namespace", "big"], { check: false }))
              .code !==
              0,
          "namespace gone",
        );
      },
    );

    await t.step(
      "when the leader is killed the other manager takes over",
      async () => {
        const [leader, standby] = a.leads ? [a, b] : [b, a];
        await leader.kill("SIGKILL");
        await eventually(() => standby.leads, "standby leads", 100);
        await namespace("after-failover");
        await eventually(
          async () =>
            (await kubectl(["get", "sa", "default", "-n", "after-failover"], {
              check: false,
            })).code === 0,
          "default SA after failover",
        );
      },
    );
  } finally {
    await a.kill();
    await b.kill();
  }
});
