// Decode-time defaulting, as upstream's decoder: an incoming object gets its
// kind's defaults (a Secret's type and stringData conversion, a namespace's
// name label, a custom resource's pruning and schema defaults) before its
// fields are tracked and before mutating admission — so the request's
// manager owns the defaulted fields and mutating webhooks see them.
import assert from "node:assert/strict";
import {
  startTestServer,
  type TestServer,
} from "../../tests/support/apiserver_harness.ts";
import { cronTabCrd } from "../../tests/support/crd_testdata.ts";
import type { MutatingAdmission } from "../admission/admission.ts";
import type { KubeObject } from "../../storage/mod.ts";

/** A mutating plugin that records (a copy of) what it was given. */
function recorder(seen: KubeObject[]): MutatingAdmission {
  return {
    name: "Recorder",
    admit(attrs) {
      seen.push(structuredClone(attrs.object));
      return Promise.resolve(attrs.object);
    },
  };
}

function managedBy(obj: KubeObject, manager: string): unknown {
  const entries = (obj.metadata.managedFields ?? []) as {
    manager: string;
    fieldsV1: unknown;
  }[];
  return entries.find((e) => e.manager === manager)?.fieldsV1;
}

async function served(srv: TestServer, path: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await srv.request("GET", path)).status === 200) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} was never served`);
}

Deno.test("incoming objects are defaulted before field tracking and mutating admission", async (t) => {
  const seen: KubeObject[] = [];
  const srv = await startTestServer({ mutatingAdmission: [recorder(seen)] });
  try {
    await t.step("a Secret: type and stringData", async () => {
      seen.length = 0;
      const r = await srv.request(
        "POST",
        "/api/v1/namespaces/default/secrets?fieldManager=me",
        { body: { metadata: { name: "s" }, stringData: { b: "hello" } } },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(seen[0].type, "Opaque");
      assert.deepEqual(seen[0].data, { b: btoa("hello") });
      assert.equal(seen[0].stringData, undefined);
      assert.deepEqual(managedBy(r.body, "me"), {
        "f:data": { ".": {}, "f:b": {} },
        "f:type": {},
      });
    });
    await t.step("a namespace: its name label", async () => {
      seen.length = 0;
      const r = await srv.request(
        "POST",
        "/api/v1/namespaces?fieldManager=me",
        {
          body: { metadata: { name: "team" } },
        },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(seen[0].metadata.labels, {
        "kubernetes.io/metadata.name": "team",
      });
      assert.deepEqual(managedBy(r.body, "me"), {
        "f:metadata": {
          "f:labels": { ".": {}, "f:kubernetes.io/metadata.name": {} },
        },
      });
    });
    await t.step(
      "a Secret whose stringData holds a non-string is refused, nothing stored",
      async () => {
        const r = await srv.request(
          "POST",
          "/api/v1/namespaces/default/secrets",
          { body: { metadata: { name: "bad" }, stringData: { a: true } } },
        );
        // Upstream's typed decoder refuses it before validation runs.
        assert.equal(r.status, 400, JSON.stringify(r.body));
        assert.equal(
          r.body.message,
          'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal bool into Go struct field Secret.stringData of type string',
        );
        const get = await srv.request(
          "GET",
          "/api/v1/namespaces/default/secrets/bad",
        );
        assert.equal(get.status, 404);
      },
    );
    await t.step("a custom resource: pruned and defaulted", async () => {
      const crd = await srv.request(
        "POST",
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        { body: cronTabCrd() },
      );
      assert.equal(crd.status, 201, JSON.stringify(crd.body));
      const crontabs =
        "/apis/stable.example.com/v1/namespaces/default/crontabs";
      await served(srv, crontabs);
      seen.length = 0;
      const r = await srv.request("POST", `${crontabs}?fieldManager=me`, {
        body: {
          apiVersion: "stable.example.com/v1",
          kind: "CronTab",
          metadata: { name: "c" },
          spec: { image: "img", unknown: "dropped" },
        },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(seen[0].spec, { image: "img", replicas: 1 });
      assert.deepEqual(r.body.spec, { image: "img", replicas: 1 });
      assert.deepEqual(managedBy(r.body, "me"), {
        "f:spec": { ".": {}, "f:image": {}, "f:replicas": {} },
      });
    });
  } finally {
    await srv.close();
  }
});
