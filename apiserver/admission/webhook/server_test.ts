/**
 * The webhook configurations served by a real API server (in process,
 * memory backend) and the webhook plugins wired through
 * `BUILTIN_ADMISSION`, calling a real HTTPS webhook on 127.0.0.1.
 */

import assert from "node:assert/strict";
import {
  configMap,
  startTestServer,
} from "../../../tests/support/apiserver_harness.ts";
import type { TestServer } from "../../../tests/support/apiserver_harness.ts";
import {
  patchOf,
  startWebhookServer,
} from "../../../tests/support/webhook_server.ts";

const AR = "/apis/admissionregistration.k8s.io/v1";

function mutating(url: string, caBundle: string, extra = {}) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: "labeler" },
    webhooks: [{
      name: "labeler.example.com",
      clientConfig: { url: `${url}/mutate`, caBundle },
      rules: [{
        operations: ["CREATE", "UPDATE"],
        apiGroups: [""],
        apiVersions: ["v1"],
        resources: ["configmaps"],
      }],
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      timeoutSeconds: 2,
      ...extra,
    }],
  };
}

/** Retries `create` until `ok` (the plugins see configurations by watch). */
async function eventually<T>(
  attempt: () => Promise<T>,
  ok: (t: T) => boolean,
): Promise<T> {
  let last = await attempt();
  for (let i = 0; i < 50 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await attempt();
  }
  return last;
}

async function createCm(s: TestServer, name: string) {
  return await s.request("POST", "/api/v1/namespaces/default/configmaps", {
    body: configMap(name),
  });
}

Deno.test("webhook configurations are served per cluster and their webhooks see the writes", async (t) => {
  await using hook = await startWebhookServer((review, path) => {
    const req = review.request as {
      name: string;
      object: { metadata: { labels?: Record<string, string> } };
    };
    if (path === "/mutate") {
      return {
        response: {
          allowed: true,
          patchType: "JSONPatch",
          patch: patchOf([{
            op: "add",
            path: "/metadata/labels",
            value: { ...req.object.metadata.labels, "webhook": "was-here" },
          }]),
          warnings: ["labelled by the webhook"],
        },
      };
    }
    return req.name.startsWith("deny-")
      ? {
        response: {
          allowed: false,
          status: { code: 403, reason: "Forbidden", message: "deny- names" },
        },
      }
      : { response: { allowed: true } };
  });
  const s = await startTestServer();
  try {
    await t.step(
      "an invalid configuration is 422 with field causes",
      async () => {
        const bad = mutating(hook.url, hook.caBundle, { name: "short" });
        const r = await s.request(
          "POST",
          `${AR}/mutatingwebhookconfigurations`,
          {
            body: bad,
          },
        );
        assert.equal(r.status, 422);
        assert.equal(r.body.reason, "Invalid");
        assert.deepEqual(r.body.details.causes, [{
          reason: "FieldValueInvalid",
          message:
            'Invalid value: "short": should be a domain with at least three segments separated by dots',
          field: "webhooks[0].name",
        }]);
      },
    );

    await t.step("a mutating webhook labels new configmaps", async () => {
      const r = await s.request("POST", `${AR}/mutatingwebhookconfigurations`, {
        body: mutating(hook.url, hook.caBundle),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.webhooks[0].failurePolicy, "Fail");
      let n = 0;
      const cm = await eventually(
        () => createCm(s, `cm-${n++}`),
        (res) => res.body.metadata?.labels?.webhook === "was-here",
      );
      assert.equal(cm.status, 201);
      assert.equal(cm.body.metadata.labels.webhook, "was-here");
      assert.match(cm.headers.get("warning") ?? "", /labelled by the webhook/);
    });

    await t.step("a validating webhook denies deny- names", async () => {
      const r = await s.request(
        "POST",
        `${AR}/validatingwebhookconfigurations`,
        {
          body: {
            ...mutating(hook.url, hook.caBundle),
            kind: "ValidatingWebhookConfiguration",
            metadata: { name: "denier" },
            webhooks: [{
              ...mutating(hook.url, hook.caBundle).webhooks[0],
              name: "denier.example.com",
              clientConfig: {
                url: `${hook.url}/validate`,
                caBundle: hook.caBundle,
              },
            }],
          },
        },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
      let n = 0;
      const denied = await eventually(
        () => createCm(s, `deny-${n++}`),
        (res) => res.status === 403,
      );
      assert.equal(denied.status, 403);
      assert.equal(
        denied.body.message,
        'admission webhook "denier.example.com" denied the request: deny- names',
      );
      assert.equal((await createCm(s, "allowed")).status, 201);
    });

    await t.step("kubectl's table shows NAME WEBHOOKS AGE", async () => {
      const r = await s.request("GET", `${AR}/mutatingwebhookconfigurations`, {
        headers: { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" },
      });
      assert.equal(r.status, 200);
      assert.deepEqual(
        r.body.columnDefinitions.map((c: { name: string }) => c.name),
        ["Name", "Webhooks", "Age"],
      );
      assert.deepEqual(r.body.rows[0].cells.slice(0, 2), ["labeler", 1]);
    });

    await t.step("discovery and OpenAPI list both kinds", async () => {
      const d = await s.request("GET", AR);
      const names = d.body.resources.map((r: { name: string }) => r.name);
      assert.ok(names.includes("validatingwebhookconfigurations"));
      assert.ok(names.includes("mutatingwebhookconfigurations"));
      const mwc = d.body.resources.find((r: { name: string }) =>
        r.name === "mutatingwebhookconfigurations"
      );
      assert.equal(mwc.namespaced, false);
      assert.equal(mwc.kind, "MutatingWebhookConfiguration");
      const o = await s.request(
        "GET",
        "/openapi/v3/apis/admissionregistration.k8s.io/v1",
      );
      assert.equal(o.status, 200);
      assert.ok(
        o.body.components.schemas[
          "io.k8s.api.admissionregistration.v1.MutatingWebhook"
        ],
      );
    });

    await t.step("a dry run reaches the webhook with dryRun set", async () => {
      const before = hook.reviews.length;
      const r = await s.request(
        "POST",
        "/api/v1/namespaces/default/configmaps?dryRun=All",
        { body: configMap("dry") },
      );
      assert.equal(r.status, 201);
      const sent = hook.reviews.slice(before).map((x) =>
        (x.review.request as { dryRun: boolean }).dryRun
      );
      assert.ok(sent.length > 0 && sent.every((x) => x === true));
    });

    await t.step("a stopped webhook fails writes under Fail", async () => {
      await hook.close();
      const r = await createCm(s, "after-stop");
      assert.equal(r.status, 500);
      assert.match(
        r.body.message,
        /^Internal error occurred: failed calling webhook "labeler\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=2s": dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/,
      );
    });

    await t.step("another virtual cluster has no webhooks", async () => {
      const r = await s.request(
        "POST",
        "/clusters/tenant-a/api/v1/namespaces/default/configmaps",
        { body: configMap("elsewhere") },
      );
      assert.equal(r.status, 201, JSON.stringify(r.body));
    });
  } finally {
    await s.close();
  }
});

Deno.test("matchPolicy Equivalent sends a write of another served version as the rule's version; webhooks are per cluster", async () => {
  await using hook = await startWebhookServer((review) => {
    const req = review.request as {
      kind: { version: string };
      requestKind: { version: string };
      object: { apiVersion: string };
    };
    return {
      response: {
        allowed: false,
        status: {
          message:
            `kind ${req.kind.version} requestKind ${req.requestKind.version} object ${req.object.apiVersion}`,
        },
      },
    };
  });
  const s = await startTestServer();
  const tenant = "/clusters/tenant-b";
  try {
    const schema = {
      openAPIV3Schema: {
        type: "object",
        "x-kubernetes-preserve-unknown-fields": true,
      },
    };
    const crd = await s.request(
      "POST",
      `${tenant}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`,
      {
        body: {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          metadata: { name: "widgets.example.com" },
          spec: {
            group: "example.com",
            scope: "Namespaced",
            names: { plural: "widgets", singular: "widget", kind: "Widget" },
            versions: [
              { name: "v1", served: true, storage: true, schema },
              { name: "v2", served: true, storage: false, schema },
            ],
          },
        },
      },
    );
    assert.equal(crd.status, 201, JSON.stringify(crd.body));
    const config = (matchPolicy: string) => ({
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingWebhookConfiguration",
      metadata: { name: "widgets" },
      webhooks: [{
        name: "widgets.example.com",
        clientConfig: { url: `${hook.url}/`, caBundle: hook.caBundle },
        rules: [{
          operations: ["CREATE"],
          apiGroups: ["example.com"],
          apiVersions: ["v1"],
          resources: ["widgets"],
        }],
        matchPolicy,
        sideEffects: "None",
        admissionReviewVersions: ["v1"],
      }],
    });
    const vwc = await s.request(
      "POST",
      `${tenant}${AR}/validatingwebhookconfigurations`,
      { body: config("Equivalent") },
    );
    assert.equal(vwc.status, 201, JSON.stringify(vwc.body));
    let n = 0;
    const widget = () =>
      s.request(
        "POST",
        `${tenant}/apis/example.com/v2/namespaces/default/widgets`,
        {
          body: {
            apiVersion: "example.com/v2",
            kind: "Widget",
            metadata: { name: `w-${n++}` },
          },
        },
      );
    const denied = await eventually(widget, (r) => r.status === 400);
    assert.equal(denied.status, 400, JSON.stringify(denied.body));
    assert.equal(
      denied.body.message,
      'admission webhook "widgets.example.com" denied the request: kind v1 requestKind v2 object example.com/v1',
    );
    // The same configuration in root does not exist: root's widgets (none
    // served there) and configmaps are untouched.
    assert.equal((await createCm(s, "root-cm")).status, 201);
    const cur = await s.request(
      "GET",
      `${tenant}${AR}/validatingwebhookconfigurations/widgets`,
    );
    const exact = await s.request(
      "PUT",
      `${tenant}${AR}/validatingwebhookconfigurations/widgets`,
      {
        body: {
          ...config("Exact"),
          metadata: cur.body.metadata,
        },
      },
    );
    assert.equal(exact.status, 200, JSON.stringify(exact.body));
    const allowed = await eventually(widget, (r) => r.status === 201);
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
  } finally {
    await s.close();
  }
});
