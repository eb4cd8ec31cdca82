/**
 * End-to-end: responses written the way people with curl and scripts ask
 * for them, against a real `hyperplane server` — pretty JSON for curl's
 * `User-Agent` unless `?pretty=false`, `Accept: application/yaml` answered
 * in YAML that parses back to the JSON answer (built-in and custom
 * resources, lists, `Status` errors), and 406 NotAcceptable for what
 * cannot be served (`text/plain`; protobuf only for a custom resource;
 * YAML for a watch). kubectl's compact JSON answers are unchanged.
 */

import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { startServer } from "./support/server.ts";
import { widgetCrd } from "./support/crd_testdata.ts";

const CURL = "curl/8.5.0";
const PB = "application/vnd.kubernetes.protobuf";
const CMS = "/api/v1/namespaces/default/configmaps";
const GROUP = "output.example.com";
const WIDGETS = `/apis/${GROUP}/v1/namespaces/default/widgets`;
const NOT_ACCEPTABLE =
  "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf";

const CRD = widgetCrd(GROUP);

Deno.test("output encoding over a real server: pretty JSON, YAML and 406", async (t) => {
  await using server = await startServer();
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await server.fetch(path, { headers });
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      text: await res.text(),
    };
  };
  const post = async (path: string, body: unknown) => {
    const res = await server.fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 201, await res.text());
  };
  await post(CMS, {
    metadata: { name: "out-a", labels: { app: "out", a10: "x", a9: "y" } },
    data: { multi: "line 1\nline 2\n", yes: "yes", n: "12" },
  });
  await post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRD);
  for (let i = 0;; i++) {
    const res = await server.fetch(WIDGETS, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        apiVersion: `${GROUP}/v1`,
        kind: "Widget",
        metadata: { name: "w-1" },
        spec: { size: 3, list: [1, { on: "off" }] },
      }),
    });
    const text = await res.text();
    if (res.status === 201) break;
    assert.ok(i < 100, `creating the custom resource: ${res.status} ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  await t.step("curl gets pretty JSON, ?pretty=false compact", async () => {
    for (
      const path of [
        `${CMS}/out-a`,
        `${CMS}?labelSelector=app%3Dout`,
        `${WIDGETS}/w-1`,
        WIDGETS,
        "/apis",
        "/api/v1",
      ]
    ) {
      const plain = await get(path);
      assert.equal(plain.status, 200, `${path}: ${plain.text}`);
      assert.ok(plain.text.endsWith("}\n"), path);
      assert.ok(!plain.text.includes("\n  "), `${path} is compact`);
      const pretty = await get(path, { "user-agent": CURL });
      assert.equal(pretty.type, "application/json");
      assert.equal(
        pretty.text,
        JSON.stringify(JSON.parse(plain.text), null, 2),
        path,
      );
      const off = await get(
        `${path}${path.includes("?") ? "&" : "?"}pretty=false`,
        {
          "user-agent": CURL,
        },
      );
      assert.equal(off.text, plain.text, path);
      const on = await get(`${path}${path.includes("?") ? "&" : "?"}pretty=1`);
      assert.equal(on.text, pretty.text, path);
    }
    // errors too
    const missing = await get(`${CMS}/nope`, { "user-agent": CURL });
    assert.equal(missing.status, 404);
    assert.match(missing.text, /^\{\n {2}"kind": "Status",\n/);
    assert.equal(JSON.parse(missing.text).reason, "NotFound");
    // /version is always indented (upstream's WriteRawJSON)
    const version = await get("/version");
    assert.match(version.text, /^\{\n {2}"major": /);
  });

  await t.step(
    "Accept: application/yaml parses back to the JSON answer",
    async () => {
      for (
        const path of [
          `${CMS}/out-a`,
          `${CMS}?labelSelector=app%3Dout`,
          `${WIDGETS}/w-1`,
          WIDGETS,
          `${CMS}/nope`,
        ]
      ) {
        const json = await get(path);
        const yaml = await get(path, { accept: "application/yaml" });
        assert.equal(yaml.status, json.status, path);
        assert.equal(yaml.type, "application/yaml", path);
        assert.deepEqual(parseYaml(yaml.text), JSON.parse(json.text), path);
      }
      const cm = await get(`${CMS}/out-a`, {
        accept: "application/yaml",
        "user-agent": CURL,
      });
      assert.match(cm.text, /^apiVersion: v1\ndata:\n {2}multi: \|\n/);
      // go-yaml's key order; "y" is a YAML 1.1 boolean, so quoted
      assert.match(cm.text, /\n {4}a9: "y"\n {4}a10: x\n {4}app: out\n/);
      assert.match(cm.text, /\n {2}"?yes"?: "yes"\n/);
      // a Table in YAML, as kubectl never asks but upstream serves
      const table = await get(CMS, {
        accept: "application/yaml;as=Table;g=meta.k8s.io;v=v1",
      });
      assert.equal(table.type, "application/yaml");
      assert.equal(parseYaml(table.text).kind, "Table");
    },
  );

  await t.step("what cannot be served is 406", async () => {
    for (
      const [path, accept, message] of [
        [`${CMS}/out-a`, "text/plain", NOT_ACCEPTABLE],
        [CMS, "text/html", NOT_ACCEPTABLE],
        [`${WIDGETS}/w-1`, "text/plain", NOT_ACCEPTABLE],
        [`${WIDGETS}/w-1`, PB, NOT_ACCEPTABLE],
        [WIDGETS, PB, NOT_ACCEPTABLE],
        ["/api/v1", "text/plain", NOT_ACCEPTABLE],
        [
          `${CMS}?watch=1`,
          "application/yaml",
          "only the following media types are accepted: application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch",
        ],
      ]
    ) {
      const r = await get(path, { accept });
      assert.equal(r.status, 406, `${path} ${accept}: ${r.text}`);
      assert.equal(r.type, "application/json");
      // written as upstream's WriteRawJSON: indented whoever asks
      assert.match(r.text, /^\{\n {2}"kind": "Status",\n/);
      const status = JSON.parse(r.text);
      assert.equal(status.reason, "NotAcceptable");
      assert.equal(status.message, message);
    }
    // built-in kinds with protobuf only: answered in JSON, as before
    const pb = await get(`${CMS}/out-a`, { accept: PB });
    assert.equal(pb.status, 200);
    assert.equal(pb.type, "application/json");
    assert.equal(JSON.parse(pb.text).kind, "ConfigMap");
    // a custom resource skips protobuf for what follows it
    const next = await get(`${WIDGETS}/w-1`, { accept: `${PB}, */*` });
    assert.equal(next.status, 200);
    assert.equal(JSON.parse(next.text).kind, "Widget");
  });

  await t.step("watch streams stay one compact event per line", async () => {
    const r = await get(`${CMS}?watch=1&timeoutSeconds=1`, {
      "user-agent": CURL,
    });
    assert.equal(r.status, 200);
    const lines = r.text.trimEnd().split("\n");
    assert.ok(lines.length >= 1, r.text);
    for (const line of lines) {
      assert.equal(JSON.parse(line).type, "ADDED", line);
    }
  });
});
