import assert from "node:assert/strict";
import {
  startWebhookServer,
  testCertificates,
} from "../../../tests/support/webhook_server.ts";
import { freePort } from "../../../tests/support/server.ts";
import { CallingWebhookError, WebhookClients, webhookUrl } from "./client.ts";
import type { Webhook } from "./types.ts";

function hook(url: string, caBundle?: string, timeoutSeconds = 10): Webhook {
  return {
    name: "hook.example.com",
    clientConfig: { url, caBundle },
    timeoutSeconds,
    sideEffects: "None",
    admissionReviewVersions: ["v1"],
  };
}

const REVIEW = JSON.stringify({
  apiVersion: "admission.k8s.io/v1",
  kind: "AdmissionReview",
  request: { uid: "u1" },
});

async function failure(p: Promise<unknown>): Promise<CallingWebhookError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CallingWebhookError, String(e));
    return e;
  }
  assert.fail("expected a failed call");
}

Deno.test("a webhook is called over HTTPS trusting its caBundle, with the timeout parameter", async () => {
  await using srv = await startWebhookServer(() => ({
    response: { allowed: true },
  }));
  const clients = new WebhookClients();
  try {
    const answer = await clients.post(
      hook(`${srv.url}/check`, srv.caBundle),
      REVIEW,
    ) as { response: { uid: string; allowed: boolean } };
    assert.equal(answer.response.allowed, true);
    assert.equal(answer.response.uid, "u1");
    assert.equal(srv.reviews[0].path, "/check");
    // The same bundle reuses the cached client.
    await clients.post(hook(`${srv.url}/check`, srv.caBundle), REVIEW);
    assert.equal(srv.reviews.length, 2);
  } finally {
    clients.close();
  }
});

Deno.test("a webhook whose certificate the caBundle does not sign fails as upstream words it", async () => {
  await using srv = await startWebhookServer(() => ({
    response: { allowed: true },
  }));
  const other = await testCertificates();
  const clients = new WebhookClients();
  try {
    const e = await failure(
      clients.post(hook(`${srv.url}/`, btoa(other.caPem)), REVIEW),
    );
    assert.match(
      e.message,
      /^failed calling webhook "hook\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/\?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority$/,
    );
  } finally {
    clients.close();
  }
});

Deno.test("a webhook that is not listening is connection refused", async () => {
  const port = freePort();
  const clients = new WebhookClients();
  const e = await failure(
    clients.post(hook(`https://127.0.0.1:${port}/x`), REVIEW),
  );
  assert.equal(
    e.reason,
    `failed to call webhook: Post "https://127.0.0.1:${port}/x?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  );
});

Deno.test("a hanging webhook times out after timeoutSeconds", async () => {
  await using srv = await startWebhookServer(() => "hang");
  const clients = new WebhookClients();
  try {
    const started = Date.now();
    const e = await failure(
      clients.post(hook(`${srv.url}/slow`, srv.caBundle, 1), REVIEW),
    );
    assert.match(
      e.reason,
      /^failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/slow\?timeout=1s": context deadline exceeded$/,
    );
    assert.ok(Date.now() - started < 5000);
  } finally {
    clients.close();
  }
});

Deno.test("garbage, errors and empty answers are call failures", async () => {
  let reply: { raw: string; status?: number } = { raw: "not json" };
  await using srv = await startWebhookServer(() => reply);
  const clients = new WebhookClients();
  try {
    const h = hook(`${srv.url}/`, srv.caBundle);
    let e = await failure(clients.post(h, REVIEW));
    assert.match(e.reason, /^failed to call webhook: .*JSON/);
    reply = { raw: "boom", status: 500 };
    e = await failure(clients.post(h, REVIEW));
    assert.equal(
      e.reason,
      'failed to call webhook: an error on the server ("boom") has prevented the request from succeeding',
    );
    reply = { raw: "", status: 404 };
    e = await failure(clients.post(h, REVIEW));
    assert.equal(
      e.reason,
      "failed to call webhook: the server responded with the status code 404 but did not return more information",
    );
  } finally {
    clients.close();
  }
});

Deno.test("a caBundle that is not PEM fails before any call", async () => {
  const clients = new WebhookClients();
  const e = await failure(
    clients.post(hook("https://127.0.0.1:1/", btoa("nope")), REVIEW),
  );
  assert.equal(
    e.reason,
    "could not get REST client: unable to load root certificates: unable to parse bytes as PEM block",
  );
});

Deno.test("a service reference is called by its cluster DNS name", () => {
  assert.equal(
    webhookUrl({
      service: {
        name: "hooks",
        namespace: "infra",
        path: "/mutate",
        port: 8443,
      },
    }),
    "https://hooks.infra.svc:8443/mutate",
  );
  assert.equal(
    webhookUrl({ service: { name: "hooks", namespace: "infra" } }),
    "https://hooks.infra.svc:443",
  );
});

Deno.test("a service that does not resolve fails with a message saying hyperplane serves no Services", async () => {
  const clients = new WebhookClients();
  const e = await failure(clients.post({
    ...hook(""),
    clientConfig: {
      service: {
        name: "hooks",
        namespace: "nowhere-hyperplane-test",
        port: 443,
      },
    },
    timeoutSeconds: 5,
  }, REVIEW));
  assert.match(
    e.reason,
    /service "hooks" not found \(hyperplane serves no Services: hooks\.nowhere-hyperplane-test\.svc must resolve by DNS\)|context deadline exceeded/,
  );
});
