import assert from "node:assert/strict";
import {
  kubeTools,
  skipWithoutKubeTools,
} from "../../tests/support/kubectl.ts";
import { toBase64 } from "./_go_json.ts";
import { captureKubectl } from "../../tests/support/kubectl_capture.ts";
import { decodeKubeProtobuf } from "./decode.ts";
import {
  captureCase,
  type CaseFiles,
  clientDryRunJson,
  withCaseFiles,
} from "./testdata/_harness.ts";
import { KUBECTL_CASES } from "./testdata/cases.ts";
import { KUBECTL_BODIES } from "./testdata/kubectl_bodies.ts";

/** kubectl < 1.35 writes `creationTimestamp: null`; 1.35 omits it (omitzero). */
function withoutNullCreationTimestamp(
  obj: Record<string, unknown>,
): Record<string, unknown> {
  const meta = obj.metadata as Record<string, unknown> | undefined;
  if (meta?.creationTimestamp !== null) return obj;
  const { creationTimestamp: _, ...rest } = meta;
  return { ...obj, metadata: rest };
}

async function checkAll(
  t: Deno.TestContext,
  kubectl: string,
  files: CaseFiles,
  opts: { compareFixtures: boolean },
) {
  for (const c of KUBECTL_CASES) {
    await t.step(c.name, async () => {
      const body = await captureCase(kubectl, c, files);
      const expected = c.expected ??
        withoutNullCreationTimestamp(await clientDryRunJson(kubectl, c, files));
      assert.deepEqual(decodeKubeProtobuf(body), expected);
      if (opts.compareFixtures) {
        assert.equal(
          toBase64(body),
          KUBECTL_BODIES[c.name]?.body,
          "testdata/kubectl_bodies.ts is stale: run testdata/generate.ts",
        );
      }
    });
  }
}

Deno.test("kubectl v1.35 sends protobuf bodies that decode to its own JSON", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "protobuf bodies from kubectl")) return;
  await withCaseFiles((files) =>
    checkAll(t, tools!.kubectl, files, { compareFixtures: true })
  );
});

Deno.test("the preinstalled older kubectl's protobuf bodies decode too", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "protobuf bodies from kubectl")) return;
  if (!tools!.systemKubectl) {
    console.error("SKIPPED: no preinstalled kubectl (/usr/bin/kubectl)");
    return;
  }
  await withCaseFiles((files) =>
    checkAll(t, tools!.systemKubectl!, files, { compareFixtures: false })
  );
});

Deno.test("kubectl accepts JSON answers to its protobuf requests", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "kubectl content negotiation")) return;
  await withCaseFiles(async (files) => {
    const cap = await captureKubectl(tools!.kubectl, [
      "create",
      "configmap",
      "cm1",
      "--from-literal=a=b",
      "-n",
      "default",
      "-o",
      "jsonpath={.data.a}",
    ], { home: files.home });
    const post = cap.requests.find((r) => r.method === "POST");
    assert.ok(post);
    assert.equal(post.contentType, "application/vnd.kubernetes.protobuf");
    assert.equal(
      post.accept,
      "application/vnd.kubernetes.protobuf,application/json",
    );
    // The capture server answers in JSON; kubectl reads it back.
    assert.equal(cap.result.stdout, "b");
  });
});
