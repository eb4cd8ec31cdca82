import assert from "node:assert/strict";
import type { ApiHandler } from "../request_context.ts";
import { generateCa, issueLeaf, loadIssuer, type PemPair } from "./_x509.ts";
import {
  bearerTokenAuthenticator,
  unionAuthenticator,
} from "./authentication.ts";
import { ensureCertificates, ensureClientCa } from "./certificates.ts";
import {
  clientCertificateAuthenticator,
  clientCertificateVerifier,
} from "./client_certificates.ts";
import { AuthenticationError } from "./errors.ts";
import { serverUrl } from "./kubeconfig.ts";
import { startSecureServer } from "./server.ts";

const DAY = 24 * 60 * 60 * 1000;

function der(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

async function leaf(
  ca: PemPair,
  commonName: string,
  organizations: string[] = [],
  opts: { usage?: "client" | "server"; days?: number; now?: Date } = {},
): Promise<PemPair> {
  return await issueLeaf(await loadIssuer(ca), {
    commonName,
    organizations,
    usage: opts.usage ?? "client",
    days: opts.days ?? 1,
    now: opts.now,
  });
}

Deno.test("a client CA bundle without a parseable certificate is refused at once", async () => {
  await assert.rejects(
    () => clientCertificateVerifier("no certificate here\n"),
    /no PEM certificate found/,
  );
  const broken =
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  await assert.rejects(
    () => clientCertificateVerifier(broken),
    /client CA bundle does not parse/,
  );
});

Deno.test("client certificate verification follows upstream's x509 rules", async (t) => {
  const ca = await generateCa("client-ca", 10);
  const other = await generateCa("other-ca", 10);
  const verifier = await clientCertificateVerifier(ca.certPem);

  await t.step("CN is the user and each O a group", async () => {
    const cert = await leaf(ca, "alice", ["dev", "system:masters"]);
    const verdict = await verifier.verify([der(cert.certPem)]);
    assert.ok(verdict && "user" in verdict);
    assert.deepEqual(verdict.user, {
      username: "alice",
      groups: ["dev", "system:masters"],
    });
    assert.match(verdict.fingerprint, /^[0-9a-f]{64}$/);
  });

  await t.step("a certificate of another CA is refused", async () => {
    const cert = await leaf(other, "mallory");
    assert.deepEqual(await verifier.verify([der(cert.certPem)]), {
      error: "x509: certificate signed by unknown authority",
    });
  });

  await t.step(
    "an expired or not yet valid certificate is refused",
    async () => {
      const old = await leaf(ca, "alice", [], {
        now: new Date(Date.now() - 3 * DAY),
      });
      const verdict = await verifier.verify([der(old.certPem)]);
      assert.deepEqual(verdict, {
        error: "x509: certificate has expired or is not yet valid",
      });
      const cert = await leaf(ca, "alice");
      assert.ok(
        "error" in
          (await verifier.verify(
            [der(cert.certPem)],
            new Date(Date.now() - 2 * 60 * 60 * 1000 - 1000),
          ))!,
      );
    },
  );

  await t.step("a server-only certificate is refused (key usage)", async () => {
    const cert = await leaf(ca, "alice", [], { usage: "server" });
    assert.deepEqual(await verifier.verify([der(cert.certPem)]), {
      error: "x509: certificate specifies an incompatible key usage",
    });
  });

  await t.step("an empty CN names nobody", async () => {
    const cert = await leaf(ca, "");
    assert.equal(await verifier.verify([der(cert.certPem)]), undefined);
  });

  await t.step("garbage is refused, not thrown", async () => {
    assert.deepEqual(await verifier.verify([new Uint8Array([1, 2, 3])]), {
      error: "x509: malformed certificate",
    });
  });

  await t.step("a verdict on the same chain is reused for 10 s", async () => {
    let clock = Date.now();
    const cached = await clientCertificateVerifier(ca.certPem, {
      now: () => clock,
    });
    const cert = der((await leaf(ca, "alice")).certPem);
    const first = await cached.verify([cert]);
    assert.equal(await cached.verify([cert]), first); // the same object
    clock += 10_001;
    const again = await cached.verify([cert]);
    assert.notEqual(again, first);
    assert.deepEqual(again, first);
  });

  await t.step("the authenticator rechecks expiry per request", async () => {
    const now = Date.now();
    const auth = clientCertificateAuthenticator(() => now);
    const req = new Request("https://x/api");
    const user = { username: "alice", groups: ["dev"] };
    assert.deepEqual(
      await auth.authenticate(req, {
        clientCertificate: { user, notAfter: now + 1, fingerprint: "f" },
      }),
      user,
    );
    assert.ok(
      await auth.authenticate(req, {
        clientCertificate: { user, notAfter: now - 1, fingerprint: "f" },
      }) instanceof AuthenticationError,
    );
    assert.equal(await auth.authenticate(req), undefined);
  });
});

Deno.test("client certificates over the TLS front: 401 when refused, tokens still work", async (t) => {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-clientcert-" });
  const tls = await ensureCertificates({ dataDir });
  const clientCa = await ensureClientCa({ dataDir });
  const token = "t0ken";
  const whoami: ApiHandler = (_req, ctx) =>
    Promise.resolve(Response.json(ctx.user));
  const server = await startSecureServer({
    bindAddress: "127.0.0.1",
    port: 0,
    tls,
    authenticators: [
      clientCertificateAuthenticator(),
      bearerTokenAuthenticator(
        new Map([[token, { username: "bob", groups: ["ops"] }]]),
      ),
    ],
    clientCertificates: await clientCertificateVerifier(clientCa.certPem),
    handler: whoami,
  });
  const url = `${serverUrl("127.0.0.1", server.port)}/api/v1/namespaces`;
  const clients: Deno.HttpClient[] = [];
  const client = (pair?: PemPair, http2 = true) => {
    const c = Deno.createHttpClient({
      caCerts: [tls.caCert!],
      http1: !http2,
      http2,
      ...(pair ? { cert: pair.certPem, key: pair.keyPem } : {}),
    });
    clients.push(c);
    return c;
  };
  const get = async (c: Deno.HttpClient, bearer?: string) => {
    const res = await fetch(url, {
      client: c,
      headers: bearer ? { authorization: `Bearer ${bearer}` } : {},
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    const alice = await leaf(clientCa, "alice", ["dev"]);
    for (const http2 of [true, false]) {
      await t.step(
        `a valid certificate is the user (HTTP/${http2 ? 2 : 1.1})`,
        async () => {
          const c = client(alice, http2);
          for (let i = 0; i < 3; i++) { // keep-alive: every request carries it
            assert.deepEqual(await get(c), {
              status: 200,
              body: {
                username: "alice",
                groups: ["dev", "system:authenticated"],
              },
            });
          }
        },
      );
    }

    await t.step("an untrusted certificate gets 401", async () => {
      const other = await generateCa("other-ca", 10);
      const c = client(await leaf(other, "mallory", ["system:masters"]));
      const res = await get(c);
      assert.equal(res.status, 401);
      assert.equal(res.body.reason, "Unauthorized");
    });

    await t.step("an expired certificate gets 401", async () => {
      const c = client(
        await leaf(clientCa, "alice", [], {
          now: new Date(Date.now() - 3 * DAY),
        }),
      );
      assert.equal((await get(c)).status, 401);
    });

    await t.step("a server-only certificate gets 401", async () => {
      const c = client(await leaf(clientCa, "alice", [], { usage: "server" }));
      assert.equal((await get(c)).status, 401);
    });

    await t.step(
      "without a certificate a token works, and nothing is 401 for lack of one",
      async () => {
        const c = client();
        assert.deepEqual(await get(c, token), {
          status: 200,
          body: { username: "bob", groups: ["ops", "system:authenticated"] },
        });
        assert.equal((await get(c)).status, 401);
      },
    );

    await t.step(
      "a valid token next to a refused certificate wins (upstream's union)",
      async () => {
        const other = await generateCa("other-ca", 10);
        const c = client(await leaf(other, "mallory"));
        assert.equal((await get(c, token)).body.username, "bob");
      },
    );
  } finally {
    for (const c of clients) c.close();
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("union authentication hands the connection to every authenticator", async () => {
  const seen: unknown[] = [];
  const union = unionAuthenticator([{
    authenticate(_req, conn) {
      seen.push(conn);
      return Promise.resolve(undefined);
    },
  }]);
  const conn = { clientCertificate: { error: "x" } };
  await union.authenticate(new Request("https://x/"), conn);
  assert.deepEqual(seen, [conn]);
});

Deno.test("a certificate presented without its private key fails the handshake", async (t) => {
  // Proof of possession is the runtime's TLS (CertificateVerify). The
  // client here holds alice's certificate and a key whose public half is
  // alice's but whose private scalar is another key's: OpenSSL (curl)
  // accepts the pair, the signature it makes cannot verify.
  for (const bin of ["openssl", "curl"]) {
    const found = await new Deno.Command("which", { args: [bin] }).output();
    if (!found.success) {
      console.error(`SKIPPED: ${bin} not found`);
      return;
    }
  }
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-pop-" });
  const tls = await ensureCertificates({ dataDir });
  const clientCa = await ensureClientCa({ dataDir });
  const server = await startSecureServer({
    bindAddress: "127.0.0.1",
    port: 0,
    tls,
    authenticators: [clientCertificateAuthenticator()],
    clientCertificates: await clientCertificateVerifier(clientCa.certPem),
    handler: (_req, ctx) => Promise.resolve(Response.json(ctx.user)),
  });
  const run = async (cmd: string, args: string[]) => {
    const out = await new Deno.Command(cmd, { args, cwd: dataDir }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  };
  try {
    const alice = await leaf(clientCa, "alice", ["dev"]);
    await Deno.writeTextFile(`${dataDir}/alice.crt`, alice.certPem);
    await Deno.writeTextFile(`${dataDir}/alice.key`, alice.keyPem);
    await run("openssl", [
      "ec",
      "-in",
      "alice.key",
      "-outform",
      "DER",
      "-out",
      "alice.der",
    ]);
    await run("openssl", [
      "ecparam",
      "-name",
      "prime256v1",
      "-genkey",
      "-noout",
      "-outform",
      "DER",
      "-out",
      "other.der",
    ]);
    const own = await Deno.readFile(`${dataDir}/alice.der`);
    const other = await Deno.readFile(`${dataDir}/other.der`);
    // SEC1 DER ends with the 65-byte uncompressed public point.
    const forged = new Uint8Array([...other.slice(0, -65), ...own.slice(-65)]);
    await Deno.writeFile(`${dataDir}/forged.der`, forged);
    await run("openssl", [
      "ec",
      "-inform",
      "DER",
      "-in",
      "forged.der",
      "-out",
      "forged.key",
    ]);
    const curl = (key: string) =>
      run("curl", [
        "-s",
        "--cacert",
        `${dataDir}/tls/ca.crt`,
        "--cert",
        "alice.crt",
        "--key",
        key,
        `https://127.0.0.1:${server.port}/api`,
      ]);
    await t.step("with its key it is alice", async () => {
      const ok = await curl("alice.key");
      assert.equal(ok.code, 0);
      assert.equal(JSON.parse(ok.stdout).username, "alice");
    });
    await t.step(
      "with a forged key the connection fails, no answer",
      async () => {
        const bad = await curl("forged.key");
        assert.notEqual(bad.code, 0);
        assert.equal(bad.stdout, "");
      },
    );
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("shutdown with certificate connections open: a reply in flight is delivered, then everything closes", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-certstop-" });
  const tls = await ensureCertificates({ dataDir });
  const clientCa = await ensureClientCa({ dataDir });
  const server = await startSecureServer({
    bindAddress: "127.0.0.1",
    port: 0,
    tls,
    authenticators: [clientCertificateAuthenticator()],
    clientCertificates: await clientCertificateVerifier(clientCa.certPem),
    handler: async (req, ctx) => {
      if (new URL(req.url).pathname === "/slow") {
        await new Promise((r) => setTimeout(r, 300));
      }
      return Response.json(ctx.user.username);
    },
  });
  const alice = await leaf(clientCa, "alice");
  const clients = [true, false].map((http2) =>
    Deno.createHttpClient({
      caCerts: [tls.caCert!],
      http1: !http2,
      http2,
      cert: alice.certPem,
      key: alice.keyPem,
    })
  );
  const url = `${serverUrl("127.0.0.1", server.port)}`;
  try {
    for (const client of clients) {
      const res = await fetch(`${url}/fast`, { client });
      assert.equal(await res.json(), "alice"); // the connection stays open
    }
    const slow = fetch(`${url}/slow`, { client: clients[1] });
    await new Promise((r) => setTimeout(r, 50));
    const started = performance.now();
    await server.close();
    const res = await slow;
    assert.equal(res.status, 200);
    assert.equal(await res.json(), "alice");
    assert.ok(performance.now() - started < 5_000);
  } finally {
    for (const c of clients) c.close();
    await server.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
