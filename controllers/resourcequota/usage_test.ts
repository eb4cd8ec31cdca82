import assert from "node:assert/strict";
import type { KubeObject } from "../../storage/mod.ts";
import { countedKinds, desiredStatus, lowers } from "./usage.ts";

function quota(spec: Record<string, unknown>, status?: unknown): KubeObject {
  return { metadata: { name: "q" }, spec, status } as KubeObject;
}

Deno.test("used counts every object-count name, once per kind", async () => {
  const asked: string[] = [];
  const status = await desiredStatus(
    quota({
      hard: {
        "count/configmaps": "5",
        configmaps: "5",
        "count/widgets.example.com": "2k",
      },
    }),
    (gr) => {
      asked.push(`${gr.group}/${gr.resource}`);
      return Promise.resolve(gr.resource === "configmaps" ? 3 : 0);
    },
  );
  assert.deepEqual(status, {
    hard: {
      "count/configmaps": "5",
      configmaps: "5",
      "count/widgets.example.com": "2k",
    },
    used: {
      "count/configmaps": "3",
      configmaps: "3",
      "count/widgets.example.com": "0",
    },
  });
  assert.deepEqual(asked.sort(), ["/configmaps", "example.com/widgets"]);
});

Deno.test("names no evaluator covers keep their last value; names no longer hard are dropped", async () => {
  const status = await desiredStatus(
    quota({ hard: { cpu: "2", "count/secrets": "1" } }, {
      used: { cpu: "500m", "count/secrets": "7", memory: "1Gi" },
    }),
    () => Promise.resolve(1),
  );
  assert.deepEqual(status.used, { cpu: "500m", "count/secrets": "1" });
});

Deno.test("scoped quotas count nothing, as object counts match no scope", async () => {
  const status = await desiredStatus(
    quota({ hard: { "count/secrets": "1" }, scopes: ["Terminating"] }),
    () => Promise.reject(new Error("must not count")),
  );
  assert.deepEqual(status.used, { "count/secrets": "0" });
});

Deno.test("lowering is told apart from raising", () => {
  assert.equal(lowers({ a: "2" }, { a: "1" }), true);
  assert.equal(lowers({ a: "1" }, { a: "2" }), false);
  assert.equal(lowers(undefined, { a: "0" }), false);
  assert.equal(lowers({ a: "1k" }, { a: "1000" }), false);
});

Deno.test("countedKinds lists the kinds a quota counts", () => {
  assert.deepEqual(
    countedKinds(quota({
      hard: { "count/secrets": "1", secrets: "1", cpu: "1" },
    })),
    [{ group: "", resource: "secrets" }],
  );
});
