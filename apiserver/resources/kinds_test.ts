import assert from "node:assert/strict";
import { startTestServer } from "../../tests/support/apiserver_harness.ts";

const ns = "/api/v1/namespaces/default";
const rbac = "/apis/rbac.authorization.k8s.io/v1";

Deno.test("secrets", async (t) => {
  const s = await startTestServer();
  try {
    await t.step(
      "stringData is merged into data as base64 and dropped; type defaults to Opaque",
      async () => {
        const r = await s.request("POST", `${ns}/secrets`, {
          body: {
            metadata: { name: "s1" },
            data: { a: btoa("x") },
            stringData: { b: "hello" },
          },
        });
        assert.equal(r.status, 201);
        assert.equal(r.body.type, "Opaque");
        assert.deepEqual(r.body.data, { a: btoa("x"), b: btoa("hello") });
        assert.equal(r.body.stringData, undefined);
      },
    );
    await t.step("data must be base64", async () => {
      const r = await s.request("POST", `${ns}/secrets`, {
        body: { metadata: { name: "s2" }, data: { a: "not base64!" } },
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].field, "data[a]");
    });
    await t.step("a TLS secret needs tls.crt and tls.key", async () => {
      const r = await s.request("POST", `${ns}/secrets`, {
        body: {
          metadata: { name: "t" },
          type: "kubernetes.io/tls",
          data: { "tls.crt": "" },
        },
      });
      assert.equal(r.status, 422);
      assert.equal(r.body.details.causes[0].field, "data[tls.key]");
      assert.equal(r.body.details.causes[0].reason, "FieldValueRequired");
    });
    await t.step("a dockerconfigjson secret must hold JSON", async () => {
      const bad = await s.request("POST", `${ns}/secrets`, {
        body: {
          metadata: { name: "d" },
          type: "kubernetes.io/dockerconfigjson",
          stringData: { ".dockerconfigjson": "nope" },
        },
      });
      assert.equal(bad.status, 422);
      const ok = await s.request("POST", `${ns}/secrets`, {
        body: {
          metadata: { name: "d" },
          type: "kubernetes.io/dockerconfigjson",
          stringData: { ".dockerconfigjson": '{"auths":{}}' },
        },
      });
      assert.equal(ok.status, 201);
    });
    await t.step(
      "a service-account-token secret needs the service account annotation",
      async () => {
        const r = await s.request("POST", `${ns}/secrets`, {
          body: {
            metadata: { name: "tok" },
            type: "kubernetes.io/service-account-token",
          },
        });
        assert.equal(r.status, 422);
      },
    );
    await t.step("an immutable secret's data cannot change", async () => {
      await s.request("POST", `${ns}/secrets`, {
        body: {
          metadata: { name: "im" },
          immutable: true,
          stringData: { a: "1" },
        },
      });
      const r = await s.request("PUT", `${ns}/secrets/im`, {
        body: {
          metadata: { name: "im" },
          immutable: true,
          stringData: { a: "2" },
        },
      });
      assert.equal(r.status, 422);
      assert.match(
        r.body.message,
        /data: Forbidden: field is immutable when `immutable` is set/,
      );
    });
    await t.step("secrets can be selected by type", async () => {
      const r = await s.request(
        "GET",
        `${ns}/secrets?fieldSelector=type%3Dkubernetes.io/dockerconfigjson`,
      );
      assert.deepEqual(
        r.body.items.map((i: { metadata: { name: string } }) =>
          i.metadata.name
        ),
        ["d"],
      );
    });
  } finally {
    await s.close();
  }
});

Deno.test("configmaps marked immutable keep their data", async () => {
  const s = await startTestServer();
  try {
    await s.request("POST", `${ns}/configmaps`, {
      body: { metadata: { name: "c" }, data: { a: "1" }, immutable: true },
    });
    const r = await s.request("PUT", `${ns}/configmaps/c`, {
      body: { metadata: { name: "c" }, data: { a: "2" }, immutable: true },
    });
    assert.equal(r.status, 422);
    const flip = await s.request("PUT", `${ns}/configmaps/c`, {
      body: { metadata: { name: "c" }, data: { a: "1" }, immutable: false },
    });
    assert.equal(flip.status, 422);
    const labels = await s.request("PUT", `${ns}/configmaps/c`, {
      body: {
        metadata: { name: "c", labels: { x: "y" } },
        data: { a: "1" },
        immutable: true,
      },
    });
    assert.equal(labels.status, 200);
  } finally {
    await s.close();
  }
});

Deno.test("the other built-in kinds are stored and served", async (t) => {
  const s = await startTestServer();
  try {
    await t.step("serviceaccounts", async () => {
      const r = await s.request("POST", `${ns}/serviceaccounts`, {
        body: { metadata: { name: "sa1" } },
      });
      assert.equal(r.status, 201);
      assert.equal(r.body.kind, "ServiceAccount");
    });
    await t.step(
      "core events with field selectors on involvedObject",
      async () => {
        const r = await s.request("POST", `${ns}/events`, {
          body: {
            metadata: { name: "e1" },
            involvedObject: {
              kind: "ConfigMap",
              name: "c",
              namespace: "default",
            },
            reason: "Created",
            type: "Normal",
            message: "hi",
          },
        });
        assert.equal(r.status, 201);
        const bad = await s.request("POST", `${ns}/events`, {
          body: {
            metadata: { name: "e2" },
            involvedObject: {
              kind: "ConfigMap",
              name: "c",
              namespace: "other",
            },
          },
        });
        assert.equal(bad.status, 422);
        const l = await s.request(
          "GET",
          `${ns}/events?fieldSelector=involvedObject.name%3Dc,reason%3DCreated`,
        );
        assert.equal(l.body.items.length, 1);
      },
    );
    await t.step(
      "events.k8s.io events need the structured fields",
      async () => {
        const bad = await s.request(
          "POST",
          "/apis/events.k8s.io/v1/namespaces/default/events",
          {
            body: { metadata: { name: "x" } },
          },
        );
        assert.equal(bad.status, 422);
        const ok = await s.request(
          "POST",
          "/apis/events.k8s.io/v1/namespaces/default/events",
          {
            body: {
              metadata: { name: "x" },
              eventTime: "2026-01-01T00:00:00.000000Z",
              reportingController: "me",
              reportingInstance: "me-1",
              action: "Do",
              reason: "Did",
              type: "Normal",
              regarding: { kind: "ConfigMap", name: "c" },
            },
          },
        );
        assert.equal(ok.status, 201);
        assert.equal(ok.body.apiVersion, "events.k8s.io/v1");
      },
    );
    await t.step(
      "leases can be created by PUT and keep a generation",
      async () => {
        const path =
          "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1";
        const r = await s.request("PUT", path, {
          body: {
            metadata: { name: "n1" },
            spec: { holderIdentity: "n1", leaseDurationSeconds: 40 },
          },
        });
        assert.equal(r.status, 201);
        assert.equal(r.body.metadata.generation, 1);
        const u = await s.request("PUT", path, {
          body: {
            metadata: { name: "n1" },
            spec: { holderIdentity: "n2", leaseDurationSeconds: 40 },
          },
        });
        assert.equal(u.status, 200);
        assert.equal(u.body.metadata.generation, 2);
        const m = await s.request("PUT", path, {
          body: {
            metadata: { name: "n1", labels: { a: "b" } },
            spec: { holderIdentity: "n2", leaseDurationSeconds: 40 },
          },
        });
        assert.equal(m.body.metadata.generation, 2);
        const bad = await s.request("PUT", path, {
          body: {
            metadata: { name: "n1" },
            spec: { leaseDurationSeconds: -1 },
          },
        });
        assert.equal(bad.status, 422);
      },
    );
    await t.step(
      "RBAC roles validate their rules and allow path-segment names",
      async () => {
        const ok = await s.request("POST", `${rbac}/namespaces/default/roles`, {
          body: {
            metadata: { name: "system:reader" },
            rules: [{
              apiGroups: [""],
              resources: ["configmaps"],
              verbs: ["get"],
            }],
          },
        });
        assert.equal(ok.status, 201);
        const bad = await s.request(
          "POST",
          `${rbac}/namespaces/default/roles`,
          {
            body: {
              metadata: { name: "r2" },
              rules: [{ apiGroups: [""], resources: ["configmaps"] }],
            },
          },
        );
        assert.equal(bad.status, 422);
        assert.equal(bad.body.details.causes[0].field, "rules[0].verbs");
        const nonRes = await s.request(
          "POST",
          `${rbac}/namespaces/default/roles`,
          {
            body: {
              metadata: { name: "r3" },
              rules: [{ nonResourceURLs: ["/x"], verbs: ["get"] }],
            },
          },
        );
        assert.equal(nonRes.status, 422);
        const cr = await s.request("POST", `${rbac}/clusterroles`, {
          body: {
            metadata: { name: "cr" },
            rules: [{ nonResourceURLs: ["/healthz"], verbs: ["get"] }],
          },
        });
        assert.equal(cr.status, 201);
      },
    );
    await t.step(
      "bindings require a roleRef, which cannot change",
      async () => {
        const none = await s.request(
          "POST",
          `${rbac}/namespaces/default/rolebindings`,
          { body: { metadata: { name: "b" } } },
        );
        assert.equal(none.status, 422);
        assert.equal(none.body.details.causes[0].field, "roleRef");
        const body = {
          metadata: { name: "b" },
          roleRef: {
            apiGroup: "rbac.authorization.k8s.io",
            kind: "Role",
            name: "system:reader",
          },
          subjects: [{
            kind: "User",
            apiGroup: "rbac.authorization.k8s.io",
            name: "alice",
          }],
        };
        assert.equal(
          (await s.request("POST", `${rbac}/namespaces/default/rolebindings`, {
            body,
          })).status,
          201,
        );
        const changed = await s.request(
          "PUT",
          `${rbac}/namespaces/default/rolebindings/b`,
          {
            body: { ...body, roleRef: { ...body.roleRef, name: "other" } },
          },
        );
        assert.equal(changed.status, 422);
        assert.match(changed.body.message, /cannot change roleRef/);
        const crb = await s.request("POST", `${rbac}/clusterrolebindings`, {
          body: {
            metadata: { name: "crb" },
            roleRef: {
              apiGroup: "rbac.authorization.k8s.io",
              kind: "Role",
              name: "x",
            },
          },
        });
        assert.equal(crb.status, 422);
        const table = await s.request(
          "GET",
          `${rbac}/namespaces/default/rolebindings`,
          {
            headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
          },
        );
        assert.deepEqual(table.body.rows[0].cells.slice(0, 2), [
          "b",
          "Role/system:reader",
        ]);
      },
    );
  } finally {
    await s.close();
  }
});
