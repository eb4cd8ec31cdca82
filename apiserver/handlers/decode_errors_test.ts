import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const LEGACY = '"k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"';

Deno.test("undecodable and mistyped bodies are refused with upstream's words", async (t) => {
  const s = await startTestServer();
  const post = (path: string, text: string, type = "application/json") =>
    s.request("POST", path, { text, headers: { "content-type": type } });
  try {
    await t.step("YAML sent as JSON", async () => {
      const r = await post(
        "/api/v1/namespaces",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n",
      );
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, "BadRequest");
      assert.equal(
        r.body.message,
        "the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: invalid character 'a' looking for beginning of value (61706956657273696f6e3a2076310a6b696e643a204e616d657370616365 ...)",
      );
    });
    await t.step("truncated JSON and an empty body", async () => {
      const r = await post("/api/v1/namespaces", '{"metadata":{"name":"a"}');
      assert.equal(
        r.body.message,
        'the object provided is unrecognized (must be of type Namespace): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"metadata":{"name":"a"})',
      );
      const e = await post("/api/v1/namespaces", "");
      assert.equal(
        e.body.message,
        "the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: unexpected end of JSON input (<empty>)",
      );
    });
    await t.step("a body that is not an object", async () => {
      const r = await post("/api/v1/namespaces/default/configmaps", "[1]");
      assert.equal(r.status, 400);
      assert.equal(
        r.body.message,
        'the object provided is unrecognized (must be of type ConfigMap): couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" } (5b315d)',
      );
      const k = await post(
        "/api/v1/namespaces/default/configmaps",
        '{"kind":1}',
      );
      assert.match(
        k.body.message,
        /json: cannot unmarshal number into Go struct field \.kind of type string \(\{"kind":1\}\)$/,
      );
    });
    await t.step("another kind", async () => {
      const r = await post(
        "/api/v1/namespaces",
        JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "a" },
        }),
      );
      assert.equal(r.status, 400);
      assert.equal(
        r.body.message,
        'ConfigMap in version "v1" cannot be handled as a Namespace: converting (v1.ConfigMap) to (core.Namespace): unknown conversion',
      );
      const pod = await post(
        "/api/v1/namespaces",
        JSON.stringify({ apiVersion: "v1", kind: "Pod" }),
      );
      assert.equal(
        pod.body.message,
        'Pod in version "v1" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion',
      );
      const typo = await post(
        "/api/v1/namespaces",
        JSON.stringify({ apiVersion: "v1", kind: "namespace" }),
      );
      assert.equal(
        typo.body.message,
        `namespace in version "v1" cannot be handled as a Namespace: no kind "namespace" is registered for version "v1" in scheme ${LEGACY}`,
      );
    });
    await t.step("another apiVersion", async () => {
      const r = await post(
        "/api/v1/namespaces",
        JSON.stringify({ apiVersion: "v2", kind: "Namespace" }),
      );
      assert.equal(
        r.body.message,
        `Namespace in version "v2" cannot be handled as a Namespace: no kind "Namespace" is registered for version "v2" in scheme ${LEGACY}`,
      );
      const ev = await post(
        "/apis/events.k8s.io/v1/namespaces/default/events",
        JSON.stringify({ apiVersion: "v1", kind: "Event" }),
      );
      assert.equal(
        ev.body.message,
        "the API version in the data (v1) does not match the expected API version (events.k8s.io/v1)",
      );
      const crd = await post(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        JSON.stringify({
          apiVersion: "charts.example.com/v1alpha1",
          kind: "Chart",
        }),
      );
      assert.equal(
        crd.body.message,
        'Chart in version "v1alpha1" cannot be handled as a CustomResourceDefinition: no kind "Chart" is registered for version "charts.example.com/v1alpha1" in scheme "k8s.io/apiextensions-apiserver/pkg/apiserver/apiserver.go:52"',
      );
    });
    await t.step("metadata that is not an object", async () => {
      const r = await post(
        "/api/v1/namespaces/default/configmaps",
        JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: "x" }),
      );
      assert.equal(
        r.body.message,
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal string into Go struct field ConfigMap.metadata of type v1.ObjectMeta',
      );
    });
    await t.step(
      "YAML that does not parse, and protobuf without its magic",
      async () => {
        const y = await post(
          "/api/v1/namespaces",
          "metadata:\n  name: a\n bad: [",
          "application/yaml",
        );
        assert.equal(y.status, 400);
        assert.match(
          y.body.message,
          /^the object provided is unrecognized \(must be of type Namespace\): error converting YAML to JSON: yaml: line \d+: .+ \([0-9a-f]+( \.\.\.)?\)$/,
        );
        const p = await post(
          "/api/v1/namespaces",
          "{}",
          "application/vnd.kubernetes.protobuf",
        );
        assert.equal(
          p.body.message,
          "the object provided is unrecognized (must be of type Namespace): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] ({})",
        );
      },
    );
    await t.step("an empty YAML document is an empty object", async () => {
      const r = await post("/api/v1/namespaces", "", "application/yaml");
      assert.equal(r.status, 422, JSON.stringify(r.body));
    });
  } finally {
    await s.close();
  }
});
