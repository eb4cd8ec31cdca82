/**
 * End-to-end: kubectl v1.35 against a real `hyperplane server` (SQLite) on
 * the fidelity gaps the wiring found — ownerReferences validation, server-side
 * apply of undeclared fields, events shared by core/v1 and events.k8s.io/v1,
 * and `kubectl explain` from the protobuf OpenAPI v2 document.
 */

import assert from "node:assert/strict";
import {
  kubeTools,
  runTool,
  skipWithoutKubeTools,
  type ToolResult,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

Deno.test("kubectl v1.35 sees upstream behaviour on the fidelity gaps", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "fidelity gaps e2e")) return;
  const server = await startServer();
  const kubectl = (
    args: string[],
    opts: { stdin?: string; check?: boolean } = {},
  ): Promise<ToolResult> =>
    runTool(tools!.kubectl, ["--kubeconfig", server.kubeconfigPath, ...args], {
      stdin: opts.stdin,
      check: opts.check,
      env: { HOME: server.dataDir },
    });
  try {
    await t.step(
      "an owner reference without uid is refused with 422",
      async () => {
        const r = await kubectl(["create", "-f", "-"], {
          check: false,
          stdin: [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: owned",
            "  namespace: default",
            "  ownerReferences:",
            "  - apiVersion: v1",
            "    kind: ConfigMap",
            "    name: owner",
            "data: {a: b}",
          ].join("\n"),
        });
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /The ConfigMap "owned" is invalid: metadata\.ownerReferences\.uid: Invalid value: "": uid must not be empty/,
        );
      },
    );

    await t.step("two controller owner references are refused", async () => {
      const r = await kubectl(["create", "-f", "-"], {
        check: false,
        stdin: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: {
            name: "owned",
            namespace: "default",
            ownerReferences: [
              {
                apiVersion: "v1",
                kind: "ConfigMap",
                name: "a",
                uid: "1",
                controller: true,
              },
              {
                apiVersion: "v1",
                kind: "ConfigMap",
                name: "b",
                uid: "2",
                controller: true,
              },
            ],
          },
        }),
      });
      assert.notEqual(r.code, 0);
      assert.match(
        r.stderr,
        /Only one reference can have Controller set to true\. Found "true" in references for ConfigMap\/a and ConfigMap\/b/,
      );
    });

    await t.step(
      "server-side apply of an undeclared field fails as upstream",
      async () => {
        const r = await kubectl(["apply", "--server-side", "-f", "-"], {
          check: false,
          stdin: [
            "apiVersion: v1",
            "kind: ConfigMap",
            "metadata:",
            "  name: typed",
            "  namespace: default",
            "spec:",
            "  replicas: 1",
          ].join("\n"),
        });
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /Error from server: failed to create typed patch object \(default\/typed; \/v1, Kind=ConfigMap\): \.spec: field not declared in schema/,
        );
        const get = await kubectl(["get", "configmap", "typed"], {
          check: false,
        });
        assert.match(get.stderr, /NotFound|not found/);
      },
    );

    await t.step(
      "an event created through core/v1 is listed by both event APIs",
      async () => {
        await kubectl(["create", "-f", "-"], {
          stdin: JSON.stringify({
            apiVersion: "v1",
            kind: "Event",
            metadata: { name: "core-ev", namespace: "default" },
            involvedObject: {
              apiVersion: "v1",
              kind: "ConfigMap",
              name: "cm-one",
              namespace: "default",
            },
            reason: "Poked",
            message: "poked through core",
            type: "Normal",
            source: { component: "e2e" },
            firstTimestamp: "2024-01-01T00:00:00Z",
            lastTimestamp: "2024-01-01T00:00:00Z",
            count: 1,
          }),
        });
        await kubectl(["create", "-f", "-"], {
          stdin: JSON.stringify({
            apiVersion: "events.k8s.io/v1",
            kind: "Event",
            metadata: { name: "v1-ev", namespace: "default" },
            eventTime: "2024-01-01T00:00:00.000000Z",
            reportingController: "example.com/e2e",
            reportingInstance: "e2e-1",
            action: "Check",
            reason: "Checked",
            regarding: { kind: "Secret", name: "s-one", namespace: "default" },
            note: "checked through events.k8s.io",
            type: "Warning",
          }),
        });
        const core = await kubectl(["get", "events", "-o", "name"]);
        const v1 = await kubectl([
          "get",
          "events.events.k8s.io",
          "-o",
          "name",
        ]);
        for (const out of [core.stdout, v1.stdout]) {
          assert.match(out, /core-ev/);
          assert.match(out, /v1-ev/);
        }
        const table = await kubectl(["get", "events"]);
        assert.match(
          table.stdout,
          /Poked\s+configmap\/cm-one\s+poked through core/,
        );
        assert.match(
          table.stdout,
          /Checked\s+secret\/s-one\s+checked through events\.k8s\.io/,
        );
        const note = await kubectl([
          "get",
          "events.events.k8s.io",
          "core-ev",
          "-o",
          "jsonpath={.note}/{.regarding.name}/{.deprecatedSource.component}",
        ]);
        assert.equal(note.stdout, "poked through core/cm-one/e2e");
        const message = await kubectl([
          "get",
          "events.v1.",
          "v1-ev",
          "-o",
          "jsonpath={.message}/{.involvedObject.name}/{.reportingComponent}",
        ]);
        assert.equal(
          message.stdout,
          "checked through events.k8s.io/s-one/example.com/e2e",
        );
        await kubectl(["delete", "events.events.k8s.io", "core-ev"]);
        const gone = await kubectl(["get", "events", "core-ev"], {
          check: false,
        });
        assert.notEqual(gone.code, 0);
      },
    );

    await t.step(
      "explain --output plaintext-openapiv2 reads protobuf OpenAPI v2",
      async () => {
        const r = await kubectl([
          "explain",
          "configmap",
          "--output",
          "plaintext-openapiv2",
        ]);
        assert.match(r.stdout, /KIND:\s+ConfigMap/);
        assert.match(r.stdout, /ConfigMap holds configuration data/);
        assert.match(r.stdout, /binaryData\s+<map\[string\]string>/);
        const rb = await kubectl([
          "explain",
          "roles.rules",
          "--output",
          "plaintext-openapiv2",
        ]);
        assert.match(rb.stdout, /verbs\s+<\[\]string> -required-/);
      },
    );
  } finally {
    await server.stop();
  }
});
