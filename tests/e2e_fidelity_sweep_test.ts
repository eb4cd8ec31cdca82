/**
 * End-to-end, client fidelity sweep: what kubectl v1.35 prints against a real
 * `hyperplane server` where a sweep of everyday commands found it differing
 * from kube-apiserver — `get events -o wide` columns, label selector parse
 * errors, `replace` of a stale body after `replace --force`, a JSON patch
 * that does not apply and a strategic merge patch with a wrong-typed value.
 */

import assert from "node:assert/strict";
import {
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer } from "./support/server.ts";

const EVENT = `
apiVersion: v1
kind: Event
metadata: {name: e1, namespace: default}
involvedObject: {kind: ConfigMap, name: cm, namespace: default, fieldPath: data}
reason: Tested
message: hello
type: Warning
count: 3
firstTimestamp: "2024-01-01T00:00:00Z"
lastTimestamp: "2024-01-01T00:01:00Z"
source: {component: sweeper, host: h1}
`;

Deno.test("kubectl v1.35 sees upstream behaviour on the sweep's findings", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "fidelity sweep e2e")) return;
  const server = await startServer();
  const kubectl = kubectlFor(tools!.kubectl, server);
  try {
    await kubectl(["create", "configmap", "cm", "--from-literal=a=b"]);

    await t.step(
      "get events -o wide shows upstream's wide columns",
      async () => {
        await kubectl(["create", "-f", "-"], { stdin: EVENT });
        const r = await kubectl(["get", "events", "-o", "wide"]);
        const [head, row] = r.stdout.trim().split("\n");
        assert.deepEqual(head.split(/\s{2,}/), [
          "LAST SEEN",
          "TYPE",
          "REASON",
          "OBJECT",
          "SUBOBJECT",
          "SOURCE",
          "MESSAGE",
          "FIRST SEEN",
          "COUNT",
          "NAME",
        ]);
        assert.match(
          row,
          /^\S+\s+Warning\s+Tested\s+configmap\/cm\s+data\s+sweeper, h1\s+hello\s+\S+\s+3\s+e1$/,
        );
        const narrow = await kubectl(["get", "events"]);
        assert.match(
          narrow.stdout,
          /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/,
        );
      },
    );

    await t.step(
      "a malformed label selector reads as upstream's parser",
      async () => {
        const bad = await kubectl(["get", "cm", "-l", "app:web"], {
          check: false,
        });
        assert.equal(bad.code, 1);
        assert.match(
          bad.stderr,
          /field selector "": unable to parse requirement: <nil>: Invalid value: "app:web": name part must consist of/,
        );
        const op = await kubectl(["get", "cm", "-l", "bad label"], {
          check: false,
        });
        assert.match(
          op.stderr,
          /unable to parse requirement: found 'label', expected: in, notin, =, ==, !=, gt, lt\n$/,
        );
      },
    );

    await t.step(
      "replace of a stale body after replace --force is a UID conflict",
      async () => {
        const stale = (await kubectl(["get", "cm", "cm", "-o", "json"])).stdout;
        await kubectl(["replace", "--force", "-f", "-"], { stdin: stale });
        const r = await kubectl(["replace", "-f", "-"], {
          stdin: stale,
          check: false,
        });
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          /Error from server \(Conflict\): .*Operation cannot be fulfilled on configmaps "cm": Precondition failed: UID in precondition: [0-9a-f-]+, UID in object meta: [0-9a-f-]+/,
        );
      },
    );

    await t.step(
      "a JSON patch that does not apply is upstream's generic 422",
      async () => {
        const r = await kubectl([
          "patch",
          "cm",
          "cm",
          "--type=json",
          "-p",
          '[{"op":"replace","path":"/data/nope","value":"x"}]',
        ], { check: false });
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr.trim(),
          "The request is invalid: the server rejected our request due to an error in our request",
        );
      },
    );

    await t.step(
      "a strategic patch with a bool label names the patch as Go prints it",
      async () => {
        const r = await kubectl([
          "patch",
          "cm",
          "cm",
          "-p",
          '{"metadata":{"labels":{"x":true}}}',
        ], { check: false });
        assert.equal(r.code, 1);
        assert.equal(
          r.stderr.trim(),
          'The request is invalid: patch: Invalid value: "map[metadata:map[labels:map[x:true]]]": unrecognized type: string',
        );
      },
    );
  } finally {
    await server.stop();
  }
});
