/**
 * A real HTTPS admission webhook for tests: `Deno.serve` on 127.0.0.1 with
 * its own CA (ECDSA P-256, made with `@peculiar/x509`), answering each
 * AdmissionReview with what the test's handler returns. `hang` handlers
 * answer only when the server stops, for timeout tests.
 */

import "reflect-metadata";
import * as x509 from "@peculiar/x509";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

/** What the handler answers: a review response, raw text, or a hang. */
export type WebhookReply =
  | { response: Record<string, unknown> }
  | { raw: string; status?: number }
  | "hang";

/** A running test webhook. */
export interface TestWebhookServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Base64 of the CA's PEM (a `clientConfig.caBundle`). */
  readonly caBundle: string;
  /** The CA's PEM. */
  readonly caPem: string;
  /** Every AdmissionReview received, with the path it came to. */
  readonly reviews: { path: string; review: Record<string, unknown> }[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function pemKey(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

/** A CA and a serving certificate for 127.0.0.1 and `localhost`. */
export async function testCertificates(): Promise<
  { caPem: string; certPem: string; keyPem: string }
> {
  const now = Date.now();
  const validity = {
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + 86400_000),
  };
  const caKeys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: [{ CN: ["webhook test CA"] }],
    ...validity,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(
        caKeys.publicKey,
        false,
        crypto,
      ),
    ],
  }, crypto);
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: "02",
    subject: [{ CN: ["127.0.0.1"] }],
    issuer: ca.subjectName,
    ...validity,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKeys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false, crypto),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "dns", value: "localhost" },
      ]),
    ],
  }, crypto);
  return {
    caPem: ca.toString("pem"),
    certPem: leaf.toString("pem"),
    keyPem: await pemKey(keys.privateKey),
  };
}

/**
 * Starts a webhook answering with `handler(review, path)`; the response's
 * `uid` is filled in from the request unless the handler set one.
 */
export async function startWebhookServer(
  handler: (
    review: Record<string, unknown>,
    path: string,
  ) => WebhookReply | Promise<WebhookReply>,
  certs?: { caPem: string; certPem: string; keyPem: string },
): Promise<TestWebhookServer> {
  const { caPem, certPem, keyPem } = certs ?? await testCertificates();
  const reviews: TestWebhookServer["reviews"] = [];
  const stopping = new AbortController();
  const listening = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: certPem,
    key: keyPem,
    signal: stopping.signal,
    onListen: ({ port }) => listening.resolve(port),
  }, async (req) => {
    const path = new URL(req.url).pathname;
    let review: Record<string, unknown>;
    try {
      review = await req.json();
    } catch {
      return new Response("bad review", { status: 400 });
    }
    reviews.push({ path, review });
    const reply = await handler(review, path);
    if (reply === "hang") {
      // Until the server stops (the caller gives up long before).
      await new Promise<void>((resolve) => {
        if (stopping.signal.aborted) return resolve();
        stopping.signal.addEventListener("abort", () => resolve(), {
          once: true,
        });
      });
      return new Response("gone", { status: 503 });
    }
    if ("raw" in reply) {
      return new Response(reply.raw, { status: reply.status ?? 200 });
    }
    const request = review.request as { uid?: string } | undefined;
    return Response.json({
      apiVersion: review.apiVersion ?? "admission.k8s.io/v1",
      kind: "AdmissionReview",
      response: { uid: request?.uid, ...reply.response },
    });
  });
  const port = await listening.promise;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    stopping.abort();
    await server.finished;
  };
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caBundle: btoa(caPem),
    caPem,
    reviews,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Base64 of a JSON patch, as a webhook's `response.patch`. */
export function patchOf(ops: unknown[]): string {
  const bytes = new TextEncoder().encode(JSON.stringify(ops));
  return btoa(String.fromCharCode(...bytes));
}
