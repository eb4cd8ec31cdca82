/**
 * End-to-end: client-side and server-side apply, strategic merge patch,
 * managedFields, `kubectl diff`, `kubectl edit` and server dry runs, driven
 * by the real kubectl v1.35 and helm v4 against a real `hyperplane server`
 * on SQLite.
 */

import assert from "node:assert/strict";
import {
  type Kubectl,
  kubectlFor,
  kubeTools,
  runTool,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const NS = "apply-e2e";

function configMapYaml(
  name: string,
  data: Record<string, string>,
  labels: Record<string, string> = {},
): string {
  const lines = [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${NS}`,
  ];
  if (Object.keys(labels).length) {
    lines.push("  labels:");
    for (const [k, v] of Object.entries(labels)) lines.push(`    ${k}: "${v}"`);
  }
  lines.push("data:");
  for (const [k, v] of Object.entries(data)) lines.push(`  ${k}: "${v}"`);
  return lines.join("\n") + "\n";
}

const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
  versions:
    - name: v1
      served: true
      storage: true
      subresources:
        status: {}
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: integer
            status:
              type: object
              properties:
                ready:
                  type: boolean
`;

async function getJson(kubectl: Kubectl, args: string[]) {
  return JSON.parse((await kubectl([...args, "-o", "json"])).stdout);
}

Deno.test("kubectl apply, patch, diff and edit against hyperplane", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl apply end-to-end")) return;
  const server = await startServer();
  const kubectl = kubectlFor(tools!.kubectl, server);
  try {
    await kubectl(["create", "namespace", NS]);

    await t.step(
      "client-side apply: created, unchanged, configured, field removed",
      async () => {
        const first = configMapYaml("csa", { a: "1", b: "2" }, { app: "x" });
        let out = await kubectl(["apply", "-f", "-"], { stdin: first });
        assert.match(out.stdout, /configmap\/csa created/);
        out = await kubectl(["apply", "-f", "-"], { stdin: first });
        assert.match(out.stdout, /configmap\/csa unchanged/);
        const second = configMapYaml("csa", { a: "9" }, { tier: "y" });
        out = await kubectl(["apply", "-f", "-"], { stdin: second });
        assert.match(out.stdout, /configmap\/csa configured/);
        const cm = await getJson(kubectl, ["-n", NS, "get", "cm", "csa"]);
        assert.deepEqual(cm.data, { a: "9" });
        assert.deepEqual(cm.metadata.labels, { tier: "y" });
        out = await kubectl(["apply", "-f", "-"], { stdin: second });
        assert.match(out.stdout, /configmap\/csa unchanged/);
      },
    );

    await t.step(
      "server-side apply twice is a no-op; managedFields are in JSON",
      async () => {
        const doc = configMapYaml("ssa", { k: "v" });
        const args = ["apply", "--server-side", "-f", "-"];
        let out = await kubectl(args, { stdin: doc });
        assert.match(out.stdout, /configmap\/ssa serverside-applied/);
        const before = await getJson(kubectl, ["-n", NS, "get", "cm", "ssa"]);
        out = await kubectl(args, { stdin: doc });
        assert.match(out.stdout, /configmap\/ssa serverside-applied/);
        const after = await getJson(kubectl, [
          "-n",
          NS,
          "get",
          "cm",
          "ssa",
          "--show-managed-fields",
        ]);
        assert.equal(
          after.metadata.resourceVersion,
          before.metadata.resourceVersion,
        );
        const mf = after.metadata.managedFields;
        assert.equal(mf.length, 1);
        assert.equal(mf[0].manager, "kubectl");
        assert.equal(mf[0].operation, "Apply");
        assert.deepEqual(mf[0].fieldsV1, { "f:data": { "f:k": {} } });
        assert.equal(before.metadata.managedFields, undefined);
      },
    );

    await t.step(
      "a second manager conflicts unless --force-conflicts",
      async () => {
        const doc = configMapYaml("ssa", { k: "other" });
        const args = [
          "apply",
          "--server-side",
          "--field-manager=second",
          "-f",
          "-",
        ];
        const failed = await kubectl(args, { stdin: doc, check: false });
        assert.notEqual(failed.code, 0);
        assert.match(failed.stderr, /conflict/i);
        assert.match(failed.stderr, /\.data\.k/);
        assert.match(failed.stderr, /"kubectl"/);
        const out = await kubectl([...args, "--force-conflicts"], {
          stdin: doc,
        });
        assert.match(out.stdout, /serverside-applied/);
        const cm = await getJson(kubectl, [
          "-n",
          NS,
          "get",
          "cm",
          "ssa",
          "--show-managed-fields",
        ]);
        assert.deepEqual(cm.data, { k: "other" });
        assert.deepEqual(
          cm.metadata.managedFields.map((e: { manager: string }) => e.manager),
          ["second"],
        );
      },
    );

    await t.step(
      "switching from client-side to server-side apply takes the fields over",
      async () => {
        await kubectl(["apply", "-f", "-"], {
          stdin: configMapYaml("mig", { a: "1" }),
        });
        const out = await kubectl(["apply", "--server-side", "-f", "-"], {
          stdin: configMapYaml("mig", { a: "2" }),
        });
        assert.match(out.stdout, /serverside-applied/);
        const cm = await getJson(kubectl, [
          "-n",
          NS,
          "get",
          "cm",
          "mig",
          "--show-managed-fields",
        ]);
        assert.deepEqual(cm.data, { a: "2" });
        const apply = cm.metadata.managedFields.find((
          e: { operation: string },
        ) => e.operation === "Apply");
        assert.equal(apply.manager, "kubectl");
        const last = JSON.parse(
          cm.metadata.annotations[
            "kubectl.kubernetes.io/last-applied-configuration"
          ],
        );
        assert.deepEqual(last.data, { a: "2" });
        // kubectl migrated the client-side entry into its Apply entry.
        assert.ok(
          !cm.metadata.managedFields.some((e: { manager: string }) =>
            e.manager === "kubectl-client-side-apply"
          ),
          JSON.stringify(cm.metadata.managedFields),
        );
        const back = await kubectl(["apply", "-f", "-"], {
          stdin: configMapYaml("mig", { a: "3" }),
        });
        assert.match(back.stdout, /configured/);
      },
    );

    await t.step(
      "apply of RBAC objects replaces their atomic lists",
      async () => {
        const role = (verbs: string[]) =>
          [
            "apiVersion: rbac.authorization.k8s.io/v1",
            "kind: Role",
            "metadata:",
            "  name: reader",
            `  namespace: ${NS}`,
            "rules:",
            '  - apiGroups: [""]',
            "    resources: [configmaps]",
            `    verbs: [${verbs.join(", ")}]`,
            "",
          ].join("\n");
        let out = await kubectl(["apply", "-f", "-"], {
          stdin: role(["get", "list"]),
        });
        assert.match(out.stdout, /created/);
        out = await kubectl(["apply", "-f", "-"], {
          stdin: role(["get", "list"]),
        });
        assert.match(out.stdout, /unchanged/);
        out = await kubectl(["apply", "-f", "-"], { stdin: role(["watch"]) });
        assert.match(out.stdout, /configured/);
        out = await kubectl(["apply", "--server-side", "-f", "-"], {
          stdin: role(["get"]),
        });
        assert.match(out.stdout, /serverside-applied/);
        const r = await getJson(kubectl, ["-n", NS, "get", "role", "reader"]);
        assert.deepEqual(r.rules[0].verbs, ["get"]);
      },
    );

    await t.step("strategic merge patch on labels and finalizers", async () => {
      await kubectl([
        "-n",
        NS,
        "patch",
        "cm",
        "csa",
        "--type",
        "strategic",
        "-p",
        '{"metadata":{"labels":{"added":"1"},"finalizers":["example.com/one"]}}',
      ]);
      await kubectl([
        "-n",
        NS,
        "patch",
        "cm",
        "csa",
        "-p",
        '{"metadata":{"finalizers":["example.com/two"]}}',
      ]);
      const cm = await getJson(kubectl, ["-n", NS, "get", "cm", "csa"]);
      assert.deepEqual(cm.metadata.labels, { tier: "y", added: "1" });
      assert.deepEqual(cm.metadata.finalizers, [
        "example.com/two",
        "example.com/one",
      ]);
      await kubectl([
        "-n",
        NS,
        "patch",
        "cm",
        "csa",
        "--type",
        "merge",
        "-p",
        '{"metadata":{"finalizers":null}}',
      ]);
    });

    await t.step("kubectl diff exits 0 without and 1 with a diff", async () => {
      const same = configMapYaml("csa", { a: "9" }, { tier: "y" });
      const rvBefore =
        (await getJson(kubectl, ["-n", NS, "get", "cm", "csa"])).metadata
          .resourceVersion;
      const none = await kubectl(["diff", "-f", "-"], {
        stdin: same.replace('tier: "y"', 'tier: "y"\n    added: "1"'),
        check: false,
      });
      assert.equal(none.code, 0, none.stdout + none.stderr);
      const changed = configMapYaml("csa", { a: "10" }, { tier: "y" });
      const some = await kubectl(["diff", "-f", "-"], {
        stdin: changed,
        check: false,
      });
      assert.equal(some.code, 1, some.stderr);
      assert.match(some.stdout, /\+\s+a: "10"/);
      const cm = await getJson(kubectl, ["-n", NS, "get", "cm", "csa"]);
      assert.equal(cm.metadata.resourceVersion, rvBefore);
      assert.equal(cm.data.a, "9");
    });

    await t.step("kubectl edit with a scripted EDITOR", async () => {
      const out = await kubectl(["-n", NS, "edit", "cm", "csa"], {
        // kubectl runs an EDITOR with spaces through the shell.
        env: { EDITOR: "sed -i 's/tier: .*/tier: edited/'" },
      });
      assert.match(out.stdout, /configmap\/csa edited/, out.stderr);
      const cm = await getJson(kubectl, ["-n", NS, "get", "cm", "csa"]);
      assert.equal(cm.metadata.labels.tier, "edited");
      assert.equal(cm.data.a, "9");
    });

    await t.step("--dry-run=server does not persist", async () => {
      const rv =
        (await getJson(kubectl, ["-n", NS, "get", "cm", "csa"])).metadata
          .resourceVersion;
      await kubectl([
        "-n",
        NS,
        "patch",
        "cm",
        "csa",
        "--dry-run=server",
        "-p",
        '{"data":{"dry":"1"}}',
      ]);
      await kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], {
        stdin: configMapYaml("dry-ssa", { k: "v" }),
      });
      await kubectl(["apply", "--dry-run=server", "-f", "-"], {
        stdin: configMapYaml("csa", { a: "dry" }),
      });
      const cm = await getJson(kubectl, ["-n", NS, "get", "cm", "csa"]);
      assert.equal(cm.metadata.resourceVersion, rv);
      assert.equal(cm.data.dry, undefined);
      assert.equal(cm.data.a, "9");
      const missing = await kubectl(["-n", NS, "get", "cm", "dry-ssa"], {
        check: false,
      });
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /NotFound|not found/);
    });
    await t.step(
      "custom resources: apply both ways; strategic merge patch is 415",
      async () => {
        await kubectl(["apply", "-f", "-"], { stdin: WIDGET_CRD });
        await kubectl([
          "wait",
          "--for=condition=Established",
          "crd/widgets.example.com",
          "--timeout=30s",
        ]);
        const widget = (size: number) =>
          [
            "apiVersion: example.com/v1",
            "kind: Widget",
            "metadata:",
            "  name: w1",
            `  namespace: ${NS}`,
            "spec:",
            `  size: ${size}`,
            "",
          ].join("\n");
        let out = await kubectl(["apply", "-f", "-"], { stdin: widget(1) });
        assert.match(out.stdout, /widget.example.com\/w1 created/);
        out = await kubectl(["apply", "-f", "-"], { stdin: widget(1) });
        assert.match(out.stdout, /unchanged/);
        out = await kubectl(["apply", "-f", "-"], { stdin: widget(2) });
        assert.match(out.stdout, /configured/);
        out = await kubectl(["apply", "--server-side", "-f", "-"], {
          stdin: widget(3),
        });
        assert.match(out.stdout, /serverside-applied/);
        const w = await getJson(kubectl, [
          "-n",
          NS,
          "get",
          "widget",
          "w1",
          "--show-managed-fields",
        ]);
        assert.equal(w.spec.size, 3);
        assert.ok(
          w.metadata.managedFields.some((e: { operation: string }) =>
            e.operation === "Apply"
          ),
        );
        const smp = await kubectl([
          "-n",
          NS,
          "patch",
          "widget",
          "w1",
          "-p",
          '{"spec":{"size":4}}',
        ], { check: false });
        assert.notEqual(smp.code, 0);
        assert.match(smp.stderr, /application\/strategic-merge-patch\+json/);
        assert.match(smp.stderr, /accepted media types include/);
        await kubectl([
          "-n",
          NS,
          "patch",
          "widget",
          "w1",
          "--type=merge",
          "-p",
          '{"spec":{"size":5}}',
        ]);
        const status = [
          "apiVersion: example.com/v1",
          "kind: Widget",
          "metadata:",
          "  name: w1",
          `  namespace: ${NS}`,
          "status:",
          "  ready: true",
          "",
        ].join("\n");
        await kubectl([
          "apply",
          "--server-side",
          "--subresource=status",
          "--field-manager=status-writer",
          "-f",
          "-",
        ], { stdin: status });
        const after = await getJson(kubectl, [
          "-n",
          NS,
          "get",
          "widget",
          "w1",
          "--show-managed-fields",
        ]);
        assert.deepEqual(after.status, { ready: true });
        assert.equal(after.spec.size, 5);
        const entry = after.metadata.managedFields.find((
          e: { manager: string },
        ) => e.manager === "status-writer");
        assert.equal(entry.subresource, "status");
        assert.deepEqual(entry.fieldsV1, { "f:status": { "f:ready": {} } });
      },
    );

    await t.step(
      "helm v4 installs and upgrades with server-side apply",
      async () => {
        const dir = await Deno.makeTempDir();
        try {
          await Deno.mkdir(`${dir}/chart/templates`, { recursive: true });
          await Deno.writeTextFile(
            `${dir}/chart/Chart.yaml`,
            "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
          );
          await Deno.writeTextFile(
            `${dir}/chart/templates/cm.yaml`,
            [
              "apiVersion: v1",
              "kind: ConfigMap",
              "metadata:",
              "  name: {{ .Release.Name }}-cfg",
              "data:",
              "  greeting: {{ .Values.greeting | quote }}",
              "",
            ].join("\n"),
          );
          const helm = (args: string[]) =>
            runTool(tools!.helm, [
              "--kubeconfig",
              server.kubeconfigPath,
              ...args,
            ], { env: { HOME: dir } });
          await helm([
            "install",
            "rel",
            `${dir}/chart`,
            "-n",
            NS,
            "--set",
            "greeting=hello",
          ]);
          await helm([
            "upgrade",
            "rel",
            `${dir}/chart`,
            "-n",
            NS,
            "--set",
            "greeting=bye",
          ]);
          const cm = await getJson(kubectl, [
            "-n",
            NS,
            "get",
            "cm",
            "rel-cfg",
            "--show-managed-fields",
          ]);
          assert.equal(cm.data.greeting, "bye");
          assert.ok(
            cm.metadata.managedFields.some((e: { operation: string }) =>
              e.operation === "Apply"
            ),
          );
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      },
    );
  } finally {
    await server.stop();
  }
});
