import assert from "node:assert/strict";
import { decodeKubeProtobuf } from "./decode.ts";
import { encodeMessage, wrap } from "./testdata/envelope.ts";

const CORE = "k8s.io.api.core.v1";

Deno.test("a ResourceQuota (as kubectl create quota sends it) decodes with its quantities as strings", () => {
  const raw = encodeMessage(`${CORE}.ResourceQuota`, {
    metadata: { name: "q", namespace: "x" },
    spec: {
      hard: { "count/configmaps": { string: "2" }, cpu: { string: "1500m" } },
      scopeSelector: {
        matchExpressions: [{ scopeName: "PriorityClass", operator: "Exists" }],
      },
    },
    status: {},
  });
  assert.deepEqual(decodeKubeProtobuf(wrap("v1", "ResourceQuota", raw)), {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: "q", namespace: "x" },
    spec: {
      hard: { "count/configmaps": "2", cpu: "1500m" },
      scopeSelector: {
        matchExpressions: [{ scopeName: "PriorityClass", operator: "Exists" }],
      },
    },
    status: {},
  });
});

Deno.test("an empty Quantity decodes as Go prints the zero quantity", () => {
  const raw = encodeMessage(`${CORE}.ResourceQuota`, {
    metadata: { name: "q" },
    spec: { hard: { pods: {} } },
  });
  const obj = decodeKubeProtobuf(wrap("v1", "ResourceQuota", raw));
  assert.deepEqual((obj.spec as Record<string, unknown>).hard, { pods: "0" });
});
