/**
 * End-to-end, client fidelity round two (issue 23): kubectl v1.35 and the
 * Kubernetes Python client (Debian's `python3-kubernetes`) against a real
 * `hyperplane server` — CRDs with `additionalProperties: true` beside
 * `properties`, `kind: List` applies of preserve-unknown-fields kinds
 * (validated by kubectl against `/openapi/v2`), `storageVersionHash` in
 * discovery, upstream's decode errors, boolean query parameters written
 * `True`, and updates that echo `creationTimestamp` as `+00:00`.
 */

import assert from "node:assert/strict";
import {
  kubectlFor,
  kubeTools,
  skipWithoutKubeTools,
} from "./support/kubectl.ts";
import { startServer, type TestServer } from "./support/server.ts";

const OPEN_STATUS_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.company.com
spec:
  group: company.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
          status:
            type: object
            additionalProperties: true
            properties:
              phase: {type: string}
`;

const OPEN_KIND_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: foos.company.com
spec:
  group: company.com
  scope: Namespaced
  names: {plural: foos, singular: foo, kind: Foo, listKind: FooList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`;

const FOO_LIST = `
apiVersion: v1
kind: List
items:
- apiVersion: company.com/v1
  kind: Foo
  metadata: {name: one, namespace: default}
  otherField: {anything: 1}
- apiVersion: company.com/v1
  kind: Foo
  metadata: {name: two, namespace: default}
  otherField: [a, b]
`;

/** The Python side: list, watch from the list's RV, read-modify-replace. */
const PYTHON_CLIENT = `
import json, sys, threading
from kubernetes import client, watch

url, token, ca = sys.argv[1], sys.argv[2], sys.argv[3]
conf = client.Configuration()
conf.host = url
conf.ssl_ca_cert = ca
conf.api_key = {"authorization": token}
conf.api_key_prefix = {"authorization": "Bearer"}
api = client.CoreV1Api(client.ApiClient(conf))
ns = "default"
out = {}

listed = api.list_namespaced_config_map(ns)
rv = listed.metadata.resource_version
out["listed"] = sorted(i.metadata.name for i in listed.items)

def create_later():
    api.create_namespaced_config_map(ns, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-watched"), data={"a": "1"}))
threading.Timer(1.0, create_later).start()

events = []
w = watch.Watch()
for ev in w.stream(api.list_namespaced_config_map, ns, resource_version=rv,
                   allow_watch_bookmarks=True, timeout_seconds=20):
    events.append([ev["type"], ev["object"].metadata.name])
    if ev["type"] == "ADDED" and ev["object"].metadata.name == "py-watched":
        w.stop()
out["events"] = events

cm = api.read_namespaced_config_map("py-watched", ns)
created = cm.metadata.creation_timestamp
cm.data = {"a": "2"}
sent = api.api_client.sanitize_for_serialization(cm)
out["sentCreationTimestamp"] = sent["metadata"]["creationTimestamp"]
replaced = api.replace_namespaced_config_map("py-watched", ns, cm)
out["replacedData"] = replaced.data
out["creationKept"] = replaced.metadata.creation_timestamp == created
print(json.dumps(out))
`;

/** A Python 3 that imports `kubernetes` (Debian's package), if any. */
async function pythonWithKubernetes(): Promise<string | undefined> {
  for (const py of ["/usr/bin/python3", "python3"]) {
    try {
      const r = await new Deno.Command(py, {
        args: ["-c", "import kubernetes"],
        stdout: "null",
        stderr: "null",
      }).output();
      if (r.success) return py;
    } catch {
      // not installed
    }
  }
  return undefined;
}

async function waitEstablished(
  kubectl: ReturnType<typeof kubectlFor>,
  crd: string,
) {
  await kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    `crd/${crd}`,
  ]);
}

async function pythonClient(
  py: string,
  server: TestServer,
): Promise<Record<string, unknown>> {
  const ca = `${server.dataDir}/python-ca.crt`;
  await Deno.writeTextFile(ca, server.caCert ?? "");
  const script = `${server.dataDir}/client.py`;
  await Deno.writeTextFile(script, PYTHON_CLIENT);
  const r = await new Deno.Command(py, {
    args: [script, server.url, server.token, ca],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(r.code, 0, dec.decode(r.stderr));
  return JSON.parse(dec.decode(r.stdout).trim().split("\n").pop()!);
}

Deno.test("kubectl v1.35 and the Python client see upstream behaviour (round two)", async (t) => {
  const tools = await kubeTools();
  if (skipWithoutKubeTools(tools, "fidelity round two e2e")) return;
  const server = await startServer();
  const kubectl = kubectlFor(tools!.kubectl, server);
  try {
    await t.step(
      "a CRD with additionalProperties: true beside properties applies",
      async () => {
        const r = await kubectl(["apply", "-f", "-"], {
          stdin: OPEN_STATUS_CRD,
          check: false,
        });
        assert.equal(r.code, 0, r.stderr);
        await waitEstablished(kubectl, "widgets.company.com");
        const w = await kubectl(["apply", "-f", "-"], {
          stdin:
            "apiVersion: company.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\nspec: {size: 1}\n",
          check: false,
        });
        assert.equal(w.code, 0, w.stderr);
      },
    );

    await t.step(
      "a kind: List of preserve-unknown-fields custom resources applies",
      async () => {
        await kubectl(["apply", "-f", "-"], { stdin: OPEN_KIND_CRD });
        await waitEstablished(kubectl, "foos.company.com");
        const v2 = await kubectl(["get", "--raw", "/openapi/v2"]);
        const def = JSON.parse(v2.stdout).definitions["com.company.v1.Foo"];
        assert.deepEqual(def.properties, undefined);
        assert.equal(def.type, "object");
        const r = await kubectl(["apply", "-f", "-"], {
          stdin: FOO_LIST,
          check: false,
        });
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /foo\.company\.com\/one created/);
        const got = await kubectl(["get", "foo", "two", "-o", "json"]);
        assert.deepEqual(JSON.parse(got.stdout).otherField, ["a", "b"]);
      },
    );

    await t.step("kubectl get --raw shows storageVersionHash", async () => {
      const core = JSON.parse(
        (await kubectl(["get", "--raw", "/api/v1"])).stdout,
      );
      const cm = core.resources.find((r: { name: string }) =>
        r.name === "configmaps"
      );
      assert.equal(cm.storageVersionHash, "qFsyl6wFWjQ=");
      const foos = JSON.parse(
        (await kubectl(["get", "--raw", "/apis/company.com/v1"])).stdout,
      );
      const foo = foos.resources.find((r: { name: string }) =>
        r.name === "foos"
      );
      assert.match(foo.storageVersionHash, /^[A-Za-z0-9+/]{11}=$/);
    });

    await t.step(
      "kubectl create --raw with a wrong body shows upstream's message",
      async () => {
        const yaml = `${server.dataDir}/ns.yaml`;
        await Deno.writeTextFile(
          yaml,
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: raw\n",
        );
        const r = await kubectl(
          ["create", "--raw", "/api/v1/namespaces", "-f", yaml],
          { check: false },
        );
        assert.notEqual(r.code, 0);
        assert.match(
          r.stderr,
          /the object provided is unrecognized \(must be of type Namespace\): couldn't get version\/kind; json parse error: invalid character 'a' looking for beginning of value \(61706956657273696f6e/,
        );
        const pod = `${server.dataDir}/pod.json`;
        await Deno.writeTextFile(
          pod,
          JSON.stringify({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p" },
          }),
        );
        const p = await kubectl(
          ["create", "--raw", "/api/v1/namespaces", "-f", pod],
          { check: false },
        );
        assert.notEqual(p.code, 0);
        assert.match(
          p.stderr,
          /Pod in version "v1" cannot be handled as a Namespace: converting \(v1\.Pod\) to \(core\.Namespace\): unknown conversion/,
        );
      },
    );

    await t.step(
      "?watch=True&allowWatchBookmarks=True streams events",
      async () => {
        await kubectl(["create", "configmap", "watched", "--from-literal=a=b"]);
        const r = await kubectl([
          "get",
          "--raw",
          "/api/v1/namespaces/default/configmaps?watch=True&allowWatchBookmarks=True&timeoutSeconds=2",
        ]);
        const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
        assert.ok(
          events.some((e) =>
            e.type === "ADDED" && e.object.metadata.name === "watched"
          ),
          r.stdout,
        );
      },
    );

    await t.step(
      "a PUT echoing creationTimestamp as +00:00 succeeds",
      async () => {
        const cm = JSON.parse(
          (await kubectl(["get", "configmap", "watched", "-o", "json"])).stdout,
        );
        const ts: string = cm.metadata.creationTimestamp;
        cm.metadata.creationTimestamp = ts.replace(/Z$/, "+00:00");
        cm.data = { a: "c" };
        const file = `${server.dataDir}/cm.json`;
        await Deno.writeTextFile(file, JSON.stringify(cm));
        const r = await kubectl([
          "replace",
          "--raw",
          "/api/v1/namespaces/default/configmaps/watched",
          "-f",
          file,
        ], { check: false });
        assert.equal(r.code, 0, r.stderr);
        const back = JSON.parse(r.stdout);
        assert.equal(back.metadata.creationTimestamp, ts);
        assert.deepEqual(back.data, { a: "c" });
      },
    );

    await t.step("the Python client lists, watches and replaces", async () => {
      const py = await pythonWithKubernetes();
      if (!py) {
        const reason =
          "python3-kubernetes not installed (apt-get install -y python3-kubernetes)";
        if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
          throw new Error(`${reason}; HYPERPLANE_REQUIRE_SERVICES=1`);
        }
        console.error(`SKIPPED: ${reason}`);
        return;
      }
      const out = await pythonClient(py, server);
      assert.ok(
        (out.listed as string[]).includes("watched"),
        JSON.stringify(out),
      );
      assert.deepEqual(
        (out.events as string[][]).filter(([, n]) => n === "py-watched"),
        [["ADDED", "py-watched"]],
      );
      assert.match(String(out.sentCreationTimestamp), /\+00:00$/);
      assert.deepEqual(out.replacedData, { a: "2" });
      assert.equal(out.creationKept, true);
    });
  } finally {
    await server.stop();
  }
});
