import assert from "node:assert/strict";
import { ensureFrontProxyCertificates } from "./front_proxy.ts";
import { isSignedBy, parseCertificate } from "./_x509_inspect.ts";
import { CertificateError } from "./errors.ts";

Deno.test("front-proxy certificates are generated once, then reused without rewriting", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dataDir}/tls`, { mode: 0o700 });
    const first = await ensureFrontProxyCertificates({ dataDir });
    const cert = parseCertificate(first.certPem);
    assert.match(cert.subject, /CN=front-proxy-client/);
    assert.ok(isSignedBy(cert, parseCertificate(first.caPem)));
    assert.equal((await Deno.stat(first.keyFile)).mode! & 0o777, 0o600);
    const ino = (await Deno.stat(first.certFile)).ino;

    const again = await ensureFrontProxyCertificates({ dataDir });
    assert.deepEqual(again, first);
    assert.equal((await Deno.stat(again.certFile)).ino, ino);

    // A missing client pair is reissued by the same CA.
    await Deno.remove(first.certFile);
    const reissued = await ensureFrontProxyCertificates({ dataDir });
    assert.equal(reissued.caPem, first.caPem);
    assert.notEqual(reissued.certPem, first.certPem);

    // Half a CA is an error naming the missing file.
    await Deno.remove(`${dataDir}/tls/front-proxy-ca.key`);
    await assert.rejects(
      () => ensureFrontProxyCertificates({ dataDir }),
      (err: unknown) =>
        err instanceof CertificateError &&
        err.message.includes("front-proxy-ca.key"),
    );
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
