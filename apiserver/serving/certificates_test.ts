import assert from "node:assert/strict";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import {
  ensureCertificates,
  RENEW_BEFORE_DAYS,
  SERVING_VALIDITY_DAYS,
  servingSans,
} from "./certificates.ts";
import { CertificateError, ServingConfigError } from "./errors.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

function sanValues(pem: string): string[] {
  const cert = new x509.X509Certificate(pem);
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  return (ext?.names.items ?? []).map((n) => `${n.type}:${n.value}`);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-certs-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("first start generates a CA and a serving certificate with the default and extra SANs", async () => {
  await withDir(async (dir) => {
    const tls = await ensureCertificates({
      dataDir: dir,
      hostname: "node-1",
      sans: ["api.example.com", "10.0.0.7", "fd00::1", "[2001:db8::2]"],
    });
    assert.equal(tls.action, "generated");
    assert.equal(tls.certFile, `${dir}/tls/serving.crt`);
    const sans = sanValues(tls.cert);
    for (
      const want of [
        "dns:localhost",
        "dns:node-1",
        "dns:api.example.com",
        "ip:127.0.0.1",
        "ip:10.0.0.7",
      ]
    ) assert.ok(sans.includes(want), `${want} in ${sans}`);
    assert.equal(sans.filter((s) => s.startsWith("ip:")).length, 5);

    const ca = new x509.X509Certificate(tls.caCert!);
    const leaf = new x509.X509Certificate(tls.cert);
    assert.ok(
      await leaf.verify({ publicKey: ca.publicKey, signatureOnly: true }),
    );
    assert.ok(ca.getExtension(x509.BasicConstraintsExtension)?.ca);
    assert.equal(leaf.getExtension(x509.BasicConstraintsExtension)?.ca, false);
    const eku = leaf.getExtension(x509.ExtendedKeyUsageExtension);
    assert.deepEqual([...eku!.usages], [x509.ExtendedKeyUsage.serverAuth]);
    assert.match(tls.key, /^-----BEGIN PRIVATE KEY-----/);

    for (const name of ["ca.key", "serving.key"]) {
      const st = await Deno.stat(`${dir}/tls/${name}`);
      assert.equal(st.mode! & 0o777, 0o600, name);
    }
    for (const name of ["ca.crt", "serving.crt"]) {
      assert.equal(
        await Deno.readTextFile(`${dir}/tls/${name}`),
        name === "ca.crt" ? tls.caCert : tls.cert,
      );
    }
  });
});

Deno.test("a second start reuses the CA and the serving certificate", async () => {
  await withDir(async (dir) => {
    const opts = { dataDir: dir, hostname: "h", sans: ["fd00::1", "10.0.0.1"] };
    const first = await ensureCertificates(opts);
    const second = await ensureCertificates(opts);
    assert.equal(second.action, "reused");
    assert.equal(second.caCert, first.caCert);
    assert.equal(second.cert, first.cert);
    assert.equal(second.key, first.key);
  });
});

Deno.test("changed SANs renew the serving certificate and keep the CA", async () => {
  await withDir(async (dir) => {
    const first = await ensureCertificates({ dataDir: dir, hostname: "h" });
    const second = await ensureCertificates({
      dataDir: dir,
      hostname: "h",
      sans: ["192.168.1.10"],
    });
    assert.equal(second.action, "renewed");
    assert.equal(second.caCert, first.caCert);
    assert.notEqual(second.cert, first.cert);
    assert.ok(sanValues(second.cert).includes("ip:192.168.1.10"));
    const third = await ensureCertificates({
      dataDir: dir,
      hostname: "h",
      sans: ["192.168.1.10"],
    });
    assert.equal(third.action, "reused");
  });
});

Deno.test("a serving certificate close to expiry is renewed", async () => {
  await withDir(async (dir) => {
    const first = await ensureCertificates({ dataDir: dir, hostname: "h" });
    const later = new Date(
      Date.now() + (SERVING_VALIDITY_DAYS - RENEW_BEFORE_DAYS + 1) * DAY_MS,
    );
    const second = await ensureCertificates({
      dataDir: dir,
      hostname: "h",
      now: later,
    });
    assert.equal(second.action, "renewed");
    assert.equal(second.caCert, first.caCert);
    const leaf = new x509.X509Certificate(second.cert);
    assert.ok(leaf.notAfter.getTime() > later.getTime() + 300 * DAY_MS);
  });
});

Deno.test("a corrupt or foreign serving certificate is replaced", async () => {
  await withDir(async (dir) => {
    const first = await ensureCertificates({ dataDir: dir, hostname: "h" });
    await Deno.writeTextFile(`${dir}/tls/serving.crt`, "garbage");
    const second = await ensureCertificates({ dataDir: dir, hostname: "h" });
    assert.equal(second.action, "renewed");
    assert.equal(second.caCert, first.caCert);

    // A key that does not belong to the certificate.
    const other = await Deno.makeTempDir();
    try {
      const foreign = await ensureCertificates({
        dataDir: other,
        hostname: "h",
      });
      await Deno.writeTextFile(`${dir}/tls/serving.key`, foreign.key);
      const third = await ensureCertificates({ dataDir: dir, hostname: "h" });
      assert.equal(third.action, "renewed");
      // A certificate signed by another CA.
      await Deno.writeTextFile(`${dir}/tls/serving.crt`, foreign.cert);
      await Deno.writeTextFile(`${dir}/tls/serving.key`, foreign.key);
      const fourth = await ensureCertificates({ dataDir: dir, hostname: "h" });
      assert.equal(fourth.action, "renewed");
      assert.equal(fourth.caCert, first.caCert);
    } finally {
      await Deno.remove(other, { recursive: true });
    }
  });
});

Deno.test("a CA certificate without its key is an error, not silently replaced", async () => {
  await withDir(async (dir) => {
    await ensureCertificates({ dataDir: dir, hostname: "h" });
    await Deno.remove(`${dir}/tls/ca.key`);
    await assert.rejects(
      ensureCertificates({ dataDir: dir, hostname: "h" }),
      (err) => err instanceof CertificateError && err.path.endsWith("ca.key"),
    );
  });
});

Deno.test("an empty or damaged CA file is an error naming it and saying how to start over", async () => {
  await withDir(async (dir) => {
    await ensureCertificates({ dataDir: dir, hostname: "h" });
    const keyPem = await Deno.readTextFile(`${dir}/tls/ca.key`);
    for (
      const [file, content] of [
        ["ca.key", ""],
        ["ca.crt", ""],
        ["ca.crt", "-----BEGIN CERTIFICATE-----\ncut short"],
      ]
    ) {
      const before = await Deno.readTextFile(`${dir}/tls/${file}`);
      await Deno.writeTextFile(`${dir}/tls/${file}`, content);
      await assert.rejects(
        ensureCertificates({ dataDir: dir, hostname: "h" }),
        (err) =>
          err instanceof CertificateError && err.path.endsWith(file) &&
          /delete .*ca\.crt and .*ca\.key to have a new CA generated/.test(
            err.message,
          ),
        `${file} ${JSON.stringify(content)}`,
      );
      await Deno.writeTextFile(`${dir}/tls/${file}`, before);
    }
    assert.equal(await Deno.readTextFile(`${dir}/tls/ca.key`), keyPem);
  });
});

Deno.test("generated files are written 0600 (certificates 0644) in a 0700 directory", async () => {
  await withDir(async (dir) => {
    await ensureCertificates({ dataDir: `${dir}/data`, hostname: "h" });
    const mode = async (p: string) =>
      (await Deno.stat(`${dir}/data/${p}`)).mode! & 0o777;
    assert.equal(await mode("tls"), 0o700);
    assert.equal(await mode("tls/ca.key"), 0o600);
    assert.equal(await mode("tls/serving.key"), 0o600);
    assert.equal(await mode("tls/ca.crt"), 0o644);
    assert.equal(await mode("tls/serving.crt"), 0o644);
    const names = [...Deno.readDirSync(`${dir}/data/tls`)].map((e) => e.name);
    assert.deepEqual(names.sort(), [
      "ca.crt",
      "ca.key",
      "serving.crt",
      "serving.key",
    ]);
  });
});

Deno.test("user-supplied certificate files are used as given", async () => {
  await withDir(async (dir) => {
    const made = await ensureCertificates({
      dataDir: `${dir}/a`,
      hostname: "h",
    });
    const certFile = `${dir}/my.crt`;
    const keyFile = `${dir}/my.key`;
    await Deno.writeTextFile(certFile, made.cert + made.caCert);
    await Deno.writeTextFile(keyFile, made.key);
    const tls = await ensureCertificates({
      dataDir: `${dir}/b`,
      certFile,
      keyFile,
    });
    assert.equal(tls.action, "provided");
    assert.equal(tls.key, made.key);
    assert.equal(tls.caCert?.trim(), made.caCert?.trim());
    // Nothing generated in the data dir.
    await assert.rejects(Deno.stat(`${dir}/b/tls`), Deno.errors.NotFound);

    // A leaf alone (not self-signed) gives no CA to put in a kubeconfig.
    await Deno.writeTextFile(certFile, made.cert);
    const leafOnly = await ensureCertificates({
      dataDir: dir,
      certFile,
      keyFile,
    });
    assert.equal(leafOnly.caCert, undefined);
  });
});

Deno.test("bad user-supplied certificate options get clear typed errors", async () => {
  await withDir(async (dir) => {
    await assert.rejects(
      ensureCertificates({ dataDir: dir, certFile: `${dir}/x.crt` }),
      ServingConfigError,
    );
    await assert.rejects(
      ensureCertificates({
        dataDir: dir,
        certFile: `${dir}/x.crt`,
        keyFile: `${dir}/x.key`,
      }),
      (err) => err instanceof CertificateError && err.path === `${dir}/x.crt`,
    );
    await Deno.writeTextFile(`${dir}/x.crt`, "not a certificate");
    await Deno.writeTextFile(`${dir}/x.key`, "not a key");
    await assert.rejects(
      ensureCertificates({
        dataDir: dir,
        certFile: `${dir}/x.crt`,
        keyFile: `${dir}/x.key`,
      }),
      CertificateError,
    );
  });
});

Deno.test("SANs sort IPs from DNS names and reject anything else", () => {
  const sans = servingSans(
    ["Example.COM", "example.com", "::1", "0:0:0:0:0:0:0:1", "*.apps.local"],
    "host",
  );
  assert.deepEqual(sans.ips, ["127.0.0.1", "::1"]);
  assert.deepEqual(sans.dnsNames, [
    "localhost",
    "host",
    "example.com",
    "*.apps.local",
  ]);
  assert.throws(() => servingSans(["not a name!"], "h"), ServingConfigError);
  assert.throws(() => servingSans(["1.2.3.4.5"], "h"), ServingConfigError);
  assert.throws(() => servingSans(["300.1.1.1"], "h"), ServingConfigError);
});
