import assert from "node:assert/strict";
import { parse } from "yaml";
import { mintKubeconfig, parseKubeconfigFlags } from "./kubeconfig.ts";
import { UsageError } from "./usage_error.ts";
import { clientCertificateVerifier } from "../apiserver/serving/mod.ts";

function der(pem: string): Uint8Array {
  const b64 = pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

Deno.test("kubeconfig flags: mistakes are one-line usage errors", () => {
  for (
    const args of [
      [],
      ["--user", ""],
      ["--user", "a", "--cluster", "Team_A"],
      ["--user", "a", "--expiration", "5m"],
      ["--user", "a", "--expiration", "soon"],
      ["--user", "a", "--server", "http://x"],
      ["--user", "a", "--group", ""],
      ["--user", "a", "extra"],
      ["--user", "a", "--bogus"],
    ]
  ) {
    assert.throws(() => parseKubeconfigFlags(args), UsageError, args.join(" "));
  }
  assert.equal(parseKubeconfigFlags(["--help"]), "help");
  const req = parseKubeconfigFlags([
    "--user",
    "alice",
    "--group",
    "dev",
    "--group",
    "ops",
    "--data-dir",
    "/d",
  ]);
  assert.ok(req !== "help");
  assert.deepEqual(
    { ...req },
    {
      dataDir: "/d",
      user: "alice",
      groups: ["dev", "ops"],
      cluster: "root",
      expirationMs: 8760 * 3600 * 1000,
      server: undefined,
      output: undefined,
    },
  );
});

Deno.test("the minted kubeconfig points at the cluster and its certificate is the user", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-kc-" });
  try {
    const text = await mintKubeconfig({
      dataDir,
      user: "alice",
      groups: ["dev"],
      cluster: "team-a",
      expirationMs: 3600_000,
      server: "https://127.0.0.1:7443",
    });
    const doc = parse(text);
    assert.equal(
      doc.clusters[0].cluster.server,
      "https://127.0.0.1:7443/clusters/team-a",
    );
    assert.equal(doc["current-context"], "alice@hyperplane-team-a");
    const cert = atob(doc.users[0].user["client-certificate-data"]);
    const ca = await Deno.readTextFile(`${dataDir}/tls/client-ca.crt`);
    const verdict = await (await clientCertificateVerifier(ca)).verify([
      der(cert),
    ]);
    assert.ok(verdict && "user" in verdict);
    assert.deepEqual(verdict.user, { username: "alice", groups: ["dev"] });
    const hours = (verdict.notAfter - Date.now()) / 3600_000;
    assert.ok(hours > 0.99 && hours <= 1, String(hours));
    assert.equal(
      (await Deno.stat(`${dataDir}/tls/client-ca.key`)).mode! & 0o777,
      0o600,
    );
    const root = parse(
      await mintKubeconfig({
        dataDir,
        user: "bob",
        groups: [],
        cluster: "root",
        expirationMs: 3600_000,
        server: "https://127.0.0.1:7443",
      }),
    );
    assert.equal(root.clusters[0].cluster.server, "https://127.0.0.1:7443");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
