import assert from "node:assert/strict";
import { KubeconfigError, parseKubeconfig } from "./kubeconfig.ts";

const doc = (user: Record<string, string>) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name: "c",
      cluster: {
        server: "https://127.0.0.1:6443/clusters/team-a",
        "certificate-authority-data": btoa("CA"),
      },
    }],
    contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
    "current-context": "x",
    users: [{ name: "u", user }],
  });

Deno.test("a kubeconfig may log in with a client certificate (data or files)", () => {
  assert.deepEqual(
    parseKubeconfig(doc({
      "client-certificate-data": btoa("CERT"),
      "client-key-data": btoa("KEY"),
    })),
    {
      server: "https://127.0.0.1:6443/clusters/team-a",
      caCert: "CA",
      token: undefined,
      clientCert: "CERT",
      clientKey: "KEY",
    },
  );
  const files: Record<string, string> = { "/c.crt": "CERT2", "/c.key": "KEY2" };
  const fromFiles = parseKubeconfig(
    doc({ "client-certificate": "/c.crt", "client-key": "/c.key" }),
    (p) => files[p],
  );
  assert.equal(fromFiles.clientCert, "CERT2");
  assert.equal(fromFiles.clientKey, "KEY2");
  assert.equal(parseKubeconfig(doc({ token: "t" })).clientCert, undefined);
});

Deno.test("a client certificate without its key is an error", () => {
  assert.throws(
    () => parseKubeconfig(doc({ "client-certificate-data": btoa("CERT") })),
    KubeconfigError,
  );
});
