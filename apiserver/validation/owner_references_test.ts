import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../tests/support/apiserver_harness.ts";
import { validateOwnerReferences } from "./owner_references.ts";

const PATH = "metadata.ownerReferences";
const OWNER = {
  apiVersion: "v1",
  kind: "ConfigMap",
  name: "owner",
  uid: "6c1d7f0a-0000-4000-8000-000000000001",
};

function messages(refs: unknown): string[] {
  return validateOwnerReferences(refs, PATH).map((e) =>
    `${e.field}: ${e.detail}`
  );
}

Deno.test("a complete owner reference is valid", () => {
  assert.deepEqual(messages([OWNER]), []);
  assert.deepEqual(
    messages([{ ...OWNER, apiVersion: "apps/v1", kind: "Deployment" }]),
    [],
  );
  assert.deepEqual(messages(undefined), []);
  assert.deepEqual(messages(null), []);
  assert.deepEqual(messages([]), []);
});

Deno.test("apiVersion, kind, name and uid are required as upstream words it", () => {
  assert.deepEqual(messages([{}]), [
    `${PATH}.apiVersion: version must not be empty`,
    `${PATH}.kind: kind must not be empty`,
    `${PATH}.name: name must not be empty`,
    `${PATH}.uid: uid must not be empty`,
  ]);
  assert.deepEqual(messages([{ ...OWNER, apiVersion: "apps/" }]), [
    `${PATH}.apiVersion: version must not be empty`,
  ]);
  assert.deepEqual(messages([{ ...OWNER, apiVersion: "a/b/c" }]), [
    `${PATH}.apiVersion: version must not be empty`,
  ]);
});

Deno.test("a core/v1 Event cannot be an owner", () => {
  assert.deepEqual(messages([{ ...OWNER, kind: "Event" }]), [
    `${PATH}: /v1, Kind=Event is disallowed from being an owner`,
  ]);
  assert.deepEqual(
    messages([{ ...OWNER, apiVersion: "events.k8s.io/v1", kind: "Event" }]),
    [],
  );
});

Deno.test("only one reference may be the controller", () => {
  const refs = [
    { ...OWNER, name: "a", uid: "1", controller: true },
    { ...OWNER, name: "b", uid: "2", controller: false },
    { ...OWNER, name: "c", uid: "3", controller: true },
  ];
  assert.deepEqual(messages(refs), [
    `${PATH}: Only one reference can have Controller set to true. Found "true" in references for ConfigMap/a and ConfigMap/c`,
  ]);
});

Deno.test("owner references of the wrong JSON types are typed errors", () => {
  const errs = validateOwnerReferences(
    ["x", { ...OWNER, uid: 5, controller: "yes" }],
    PATH,
  );
  assert.deepEqual(errs.map((e) => [e.type, e.field]), [
    ["FieldValueTypeInvalid", `${PATH}[0]`],
    ["FieldValueTypeInvalid", `${PATH}[1].uid`],
    ["FieldValueTypeInvalid", `${PATH}[1].controller`],
  ]);
  assert.equal(
    validateOwnerReferences({}, PATH)[0].type,
    "FieldValueTypeInvalid",
  );
});

Deno.test("every write path rejects invalid owner references with 422 and causes", async (t) => {
  const s = await startTestServer();
  try {
    const base = "/api/v1/namespaces/default/configmaps";
    const bad = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner" }];
    const two = [
      { ...OWNER, name: "a", uid: "1", controller: true },
      { ...OWNER, name: "b", uid: "2", controller: true },
    ];
    const expectInvalid = (
      r: { status: number; body: Record<string, unknown> },
      field: string,
    ) => {
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.reason, "Invalid");
      // deno-lint-ignore no-explicit-any
      const causes = (r.body.details as any).causes as { field: string }[];
      assert.ok(
        causes.some((c) => c.field === field),
        JSON.stringify(causes),
      );
    };

    await t.step("create", async () => {
      const r = await s.request("POST", base, {
        body: configMap("c", {}, { metadata: { ownerReferences: bad } }),
      });
      expectInvalid(r, `${PATH}.uid`);
      assert.match(
        r.body.message,
        /^ConfigMap "c" is invalid: metadata\.ownerReferences\.uid: Invalid value: "": uid must not be empty$/,
      );
    });
    await t.step("create with two controllers", async () => {
      const r = await s.request("POST", base, {
        body: configMap("c", {}, { metadata: { ownerReferences: two } }),
      });
      expectInvalid(r, PATH);
      assert.match(r.body.message, /Only one reference can have Controller/);
    });

    const ok = await s.request("POST", base, {
      body: configMap("c", {}, { metadata: { ownerReferences: [OWNER] } }),
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));

    await t.step("update", async () => {
      const r = await s.request("PUT", `${base}/c`, {
        body: configMap("c", {}, { metadata: { ownerReferences: bad } }),
      });
      expectInvalid(r, `${PATH}.uid`);
    });
    await t.step("merge patch", async () => {
      const r = await s.request("PATCH", `${base}/c`, {
        text: JSON.stringify({ metadata: { ownerReferences: two } }),
        headers: { "content-type": "application/merge-patch+json" },
      });
      expectInvalid(r, PATH);
    });
    await t.step("JSON patch", async () => {
      const r = await s.request("PATCH", `${base}/c`, {
        text: JSON.stringify([
          {
            op: "add",
            path: "/metadata/ownerReferences/-",
            value: { ...OWNER, uid: "x", kind: "" },
          },
        ]),
        headers: { "content-type": "application/json-patch+json" },
      });
      expectInvalid(r, `${PATH}.kind`);
    });
    await t.step("strategic merge patch", async () => {
      const r = await s.request("PATCH", `${base}/c`, {
        text: JSON.stringify({
          metadata: { ownerReferences: [{ ...OWNER, uid: "y", name: "" }] },
        }),
        headers: {
          "content-type": "application/strategic-merge-patch+json",
        },
      });
      expectInvalid(r, `${PATH}.name`);
    });
    await t.step("server-side apply", async () => {
      const r = await s.request(
        "PATCH",
        `${base}/c?fieldManager=test&force=true`,
        {
          text: JSON.stringify({
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: {
              name: "c",
              ownerReferences: [{ ...OWNER, uid: "z", kind: "Event" }],
            },
          }),
          headers: { "content-type": "application/apply-patch+yaml" },
        },
      );
      expectInvalid(r, PATH);
      assert.match(r.body.message, /disallowed from being an owner/);
    });
    await t.step("the stored object is unchanged", async () => {
      const r = await s.request("GET", `${base}/c`);
      assert.deepEqual(r.body.metadata.ownerReferences, [OWNER]);
      assert.equal(
        r.body.metadata.resourceVersion,
        ok.body.metadata.resourceVersion,
      );
    });
  } finally {
    await s.close();
  }
});
