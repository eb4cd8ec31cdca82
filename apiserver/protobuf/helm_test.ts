import assert from "node:assert/strict";
import {
  kubeTools,
  skipWithoutKubeTools,
} from "../../tests/support/kubectl.ts";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";
import { captureTool } from "../../tests/support/kubectl_capture.ts";
import { decodeKubeProtobuf, type KubeObject } from "./decode.ts";
import { fromBase64 } from "./testdata/envelope.ts";

/** Helm's release payload: base64(gzip(JSON)) inside the Secret's bytes. */
async function releaseOf(secret: KubeObject): Promise<Record<string, unknown>> {
  const data = secret.data as Record<string, string>;
  const gz = fromBase64(new TextDecoder().decode(fromBase64(data.release)));
  const stream = new Blob([gz]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return JSON.parse(await new Response(stream).text());
}

Deno.test("helm v4 stores its release as protobuf Secrets that decode intact", async () => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "protobuf bodies from helm")) return;
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-protobuf-helm-" });
  const server = await startTestServer();
  try {
    await Deno.mkdir(`${dir}/home`);
    await Deno.mkdir(`${dir}/chart/templates`, { recursive: true });
    await Deno.writeTextFile(
      `${dir}/chart/Chart.yaml`,
      "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    );
    await Deno.writeTextFile(
      `${dir}/chart/templates/cm.yaml`,
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: b\n",
    );
    const cap = await captureTool(tools!.helm, (url) => [
      "install",
      "rel1",
      `${dir}/chart`,
      "--kube-apiserver",
      url,
      "-n",
      "default",
      "--disable-openapi-validation",
    ], { home: `${dir}/home` });

    const writes = cap.requests.filter((r) =>
      r.url.startsWith("/api/v1/namespaces/default/secrets") &&
      (r.method === "POST" || r.method === "PUT")
    );
    assert.deepEqual(writes.map((r) => r.method), ["POST", "PUT"]);
    const statuses: unknown[] = [];
    for (const w of writes) {
      assert.equal(w.contentType, "application/vnd.kubernetes.protobuf");
      const secret = decodeKubeProtobuf(w.body);
      assert.equal(secret.kind, "Secret");
      assert.equal(secret.type, "helm.sh/release.v1");
      const meta = secret.metadata as Record<string, unknown>;
      assert.equal(meta.name, "sh.helm.release.v1.rel1.v1");
      assert.equal(
        (meta.labels as Record<string, string>).owner,
        "helm",
      );
      const release = await releaseOf(secret);
      assert.equal(release.name, "rel1");
      assert.equal(release.namespace, "default");
      statuses.push((release.info as Record<string, unknown>).status);
      // Our server takes the decoded Secret as it is.
      const res = await server.request(
        w.method,
        w.method === "POST"
          ? "/api/v1/namespaces/default/secrets"
          : `/api/v1/namespaces/default/secrets/${meta.name}`,
        { body: secret },
      );
      assert.ok(
        res.status === 201 || res.status === 200,
        JSON.stringify(res.body),
      );
    }
    assert.deepEqual(statuses, ["pending-install", "deployed"]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
