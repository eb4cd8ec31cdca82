import "reflect-metadata";
import assert from "node:assert/strict";
import * as x509 from "@peculiar/x509";
import { generateCa } from "../serving/_x509.ts";
import { isPemCertificates, parseCsrPem, signCsr } from "./x509.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

async function makeCsr(name: string, extensions: x509.Extension[] = []) {
  const keys = await crypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys,
    signingAlgorithm: ALG,
    extensions,
  }, crypto);
  return csr.toString("pem");
}

Deno.test("a PEM request is parsed with its subject; garbage and bad signatures are refused", async () => {
  const pem = await makeCsr("CN=dave, O=qa, O=ops");
  assert.deepEqual(await parseCsrPem(pem), {
    commonName: "dave",
    organizations: ["qa", "ops"],
  });
  assert.deepEqual(await parseCsrPem("garbage"), {
    error: "PEM block type must be CERTIFICATE REQUEST",
  });
  assert.deepEqual(
    await parseCsrPem(
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ),
    { error: "PEM block type must be CERTIFICATE REQUEST" },
  );
  // Flip a byte of the signature: parsed, but the signature fails.
  const der = new Uint8Array(x509.PemConverter.decodeFirst(pem));
  der[der.length - 3] ^= 0xff;
  const tampered = x509.PemConverter.encode(der, "CERTIFICATE REQUEST");
  const result = await parseCsrPem(tampered);
  assert.ok("error" in result);
});

Deno.test("the signer issues the request's subject and SANs with the usages and lifetime asked", async () => {
  const ca = await generateCa("client-ca", 10);
  const pem = await makeCsr("CN=dave, O=qa", [
    new x509.SubjectAlternativeNameExtension([{
      type: "dns",
      value: "dave.example",
    }]),
  ]);
  const now = new Date();
  const out = await signCsr(ca, {
    csrPem: pem,
    usages: ["digital signature", "client auth"],
    expirationSeconds: 3600,
    maxTtlMs: 365 * 86400_000,
    now,
  });
  assert.ok(isPemCertificates(out));
  const cert = new x509.X509Certificate(out);
  assert.equal(cert.subject, "CN=dave, O=qa");
  assert.equal(cert.issuer, new x509.X509Certificate(ca.certPem).subject);
  assert.equal(
    cert.notAfter.getTime(),
    Math.floor((now.getTime() + 3600_000) / 1000) * 1000,
  );
  assert.ok(cert.notBefore.getTime() <= now.getTime() - 4 * 60_000);
  assert.deepEqual(
    [...cert.getExtension(x509.ExtendedKeyUsageExtension)!.usages],
    [x509.ExtendedKeyUsage.clientAuth],
  );
  assert.equal(
    cert.getExtension(x509.KeyUsagesExtension)?.usages,
    x509.KeyUsageFlags.digitalSignature,
  );
  assert.equal(
    cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items[0]
      .value,
    "dave.example",
  );
  assert.ok(
    await cert.verify({
      signatureOnly: true,
      publicKey: new x509.X509Certificate(ca.certPem).publicKey,
    }, crypto),
  );
  // Without expirationSeconds: the signer's maximum, capped at the CA's expiry.
  const long = new x509.X509Certificate(
    await signCsr(ca, {
      csrPem: pem,
      usages: ["client auth"],
      maxTtlMs: 100 * 365 * 86400_000,
      now,
    }),
  );
  assert.equal(
    long.notAfter.getTime(),
    new x509.X509Certificate(ca.certPem).notAfter.getTime(),
  );
});
