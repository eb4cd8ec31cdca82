/**
 * End to end: a real `hyperplane server --controllers=-*` child (SQLite, no
 * in-process controllers), two `hyperplane controller-manager` children
 * against it (one leader), and real kubectl. Covers `kubectl delete
 * --cascade=background|foreground|orphan`, dangling owners, deletion of a
 * namespace holding 1,000 objects of several kinds, the terminating-namespace
 * refusal, the default service account and kube-root-ca.crt (also in a
 * second virtual cluster), and leader failover.
 */

import assert from "node:assert/strict";
import { startServer } from "./support/server.ts";
import {
  kubectlFor,
  kubeTools,
  projectRoot,
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
  // About the controllers, not cluster declaration: implicit clusters.
  await using server = await startServer({
    args: ["--controllers=-*", "--virtual-clusters=implicit"],
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

    const get = async (what: string, jsonpath: string) =>
      (await kubectl(["get", what, "-n", "e2e", "-o", `jsonpath=${jsonpath}`]))
        .stdout;

    await t.step(
      "kubectl delete --cascade=foreground removes the dependents before the owner",
      async () => {
        await ownerWithDeps("fg", 5);
        // One blocking dependent holds on with its own finalizer.
        const held = JSON.parse(manifest(
          "e2e",
          "fg",
          1,
          await get(
            "cm/fg",
            "{.metadata.uid}",
          ),
        ));
        held.metadata.name = "fg-dep-held";
        held.metadata.finalizers = ["example.com/hold"];
        await kubectl(["create", "--validate=false", "-f", "-"], {
          stdin: JSON.stringify(held),
        });
        await kubectl([
          "delete",
          "cm",
          "fg",
          "-n",
          "e2e",
          "--cascade=foreground",
          "--wait=false",
        ]);
        assert.match(
          await get("cm/fg", "{.metadata.finalizers}"),
          /foregroundDeletion/,
        );
        await eventually(
          async () => await count("fg-dep-") === 1,
          "free dependents gone",
        );
        // The owner waits for its last blocking dependent.
        assert.ok(await get("cm/fg", "{.metadata.deletionTimestamp}"));
        await kubectl([
          "patch",
          "cm",
          "fg-dep-held",
          "-n",
          "e2e",
          "--type=merge",
          "-p",
          '{"metadata":{"finalizers":null}}',
        ]);
        await eventually(
          async () => await count("fg") === 0,
          "owner gone last",
        );
      },
    );

    await t.step(
      "kubectl delete --cascade=orphan keeps the dependents without owner references",
      async () => {
        await ownerWithDeps("or", 5);
        await kubectl(["delete", "cm", "or", "-n", "e2e", "--cascade=orphan"]);
        assert.equal(await count("or-dep-"), 5);
        assert.equal(await count("or-"), 5);
        const refs = await get(
          "cm",
          '{range .items[*]}{.metadata.name}={.metadata.ownerReferences}{"\\n"}{end}',
        );
        for (
          const line of refs.split("\n").filter((l) => l.startsWith("or-dep-"))
        ) {
          assert.match(line, /^or-dep-\d+=$/);
        }
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
      "kubectl delete namespace with 1,000 objects of several kinds finishes",
      async () => {
        await namespace("big");
        const kinds = [
          { kind: "ConfigMap", extra: { data: { k: "v" } } },
          { kind: "Secret", extra: { stringData: { k: "v" } } },
          { kind: "ServiceAccount", extra: {} },
          {
            kind: "Role",
            apiVersion: "rbac.authorization.k8s.io/v1",
            extra: { rules: [] },
          },
        ];
        for (const k of kinds) {
          const list = {
            apiVersion: "v1",
            kind: "List",
            items: Array.from({ length: 250 }, (_, i) => ({
              apiVersion: k.apiVersion ?? "v1",
              kind: k.kind,
              metadata: { name: `obj-${i}`, namespace: "big" },
              ...k.extra,
            })),
          };
          await kubectl(["create", "--validate=false", "-f", "-"], {
            stdin: JSON.stringify(list),
          });
        }
        const counted = await kubectl([
          "get",
          "cm,secrets,sa,roles",
          "-n",
          "big",
          "-o",
          "name",
        ]);
        // 1,000 plus the default service account and kube-root-ca.crt.
        assert.ok(
          counted.stdout.trim().split("\n").length >= 1000,
          counted.stdout.slice(0, 200),
        );
        await kubectl(["delete", "namespace", "big", "--timeout=120s"]);
        const gone = await kubectl(["get", "namespace", "big"], {
          check: false,
        });
        assert.notEqual(gone.code, 0);
        assert.match(gone.stderr, /NotFound/);
      },
    );

    await t.step(
      "creating in a terminating namespace is refused with 403",
      async () => {
        await namespace("closing");
        await create({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "held",
            namespace: "closing",
            finalizers: ["example.com/hold"],
          },
        });
        await kubectl(["delete", "namespace", "closing", "--wait=false"]);
        const refused = await server.fetch(
          "/api/v1/namespaces/closing/configmaps",
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ metadata: { name: "late" } }),
          },
        );
        const status = await refused.json();
        assert.equal(refused.status, 403, JSON.stringify(status));
        assert.match(
          status.message,
          /unable to create new content in namespace closing because it is being terminated/,
        );
        await kubectl([
          "patch",
          "cm",
          "held",
          "-n",
          "closing",
          "--type=merge",
          "-p",
          '{"metadata":{"finalizers":null}}',
        ]);
        await kubectl([
          "wait",
          "--for=delete",
          "namespace/closing",
          "--timeout=60s",
        ]);
      },
    );

    await t.step(
      "a namespace in another virtual cluster gets its default service account",
      async () => {
        const res = await server.fetch("/clusters/tenant-b/api/v1/namespaces", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ metadata: { name: "e2e-b" } }),
        });
        assert.equal(res.status, 201, await res.text());
        await eventually(
          async () => {
            const r = await server.fetch(
              "/clusters/tenant-b/api/v1/namespaces/e2e-b/serviceaccounts/default",
            );
            await r.body?.cancel();
            return r.status === 200;
          },
          "default SA in cluster tenant-b",
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
