import assert from "node:assert/strict";
import { parse } from "yaml";
import { serverUrl, writeAdminKubeconfig } from "./kubeconfig.ts";

Deno.test("the kubeconfig carries the CA, the server URL and the admin token, mode 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/dir/admin.kubeconfig`;
    const ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
    await writeAdminKubeconfig({
      path,
      server: "https://127.0.0.1:6443",
      caCert: ca,
      token: "t0k",
    });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const doc = parse(await Deno.readTextFile(path));
    assert.equal(doc.kind, "Config");
    assert.equal(doc["current-context"], "hyperplane");
    assert.deepEqual(doc.contexts, [
      { name: "hyperplane", context: { cluster: "hyperplane", user: "admin" } },
    ]);
    const cluster = doc.clusters[0].cluster;
    assert.equal(cluster.server, "https://127.0.0.1:6443");
    assert.equal(atob(cluster["certificate-authority-data"]), ca);
    assert.deepEqual(doc.users, [{ name: "admin", user: { token: "t0k" } }]);

    // Rewriting an existing file (e.g. with looser permissions) keeps 0600.
    await Deno.chmod(path, 0o644);
    await writeAdminKubeconfig({ path, server: "https://h:1", token: "x" });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const again = parse(await Deno.readTextFile(path));
    assert.equal(
      again.clusters[0].cluster["certificate-authority-data"],
      undefined,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the server URL uses loopback for wildcard binds and brackets IPv6", () => {
  assert.equal(serverUrl("0.0.0.0", 6443), "https://127.0.0.1:6443");
  assert.equal(serverUrl("::", 1), "https://127.0.0.1:1");
  assert.equal(serverUrl("[::]", 1), "https://127.0.0.1:1");
  assert.equal(serverUrl("", 1), "https://127.0.0.1:1");
  assert.equal(serverUrl("10.1.2.3", 443), "https://10.1.2.3:443");
  assert.equal(serverUrl("::1", 443), "https://[::1]:443");
  assert.equal(serverUrl("api.local", 443), "https://api.local:443");
});

Deno.test("an unchanged 0600 kubeconfig is left alone; a changed or looser one is rewritten", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/admin.kubeconfig`;
    const opts = { path, server: "https://127.0.0.1:6443", token: "t0k" };
    await writeAdminKubeconfig(opts);
    const first = await Deno.stat(path);
    await writeAdminKubeconfig(opts); // a restart: same content
    assert.equal((await Deno.stat(path)).ino, first.ino);
    await Deno.chmod(path, 0o644);
    await writeAdminKubeconfig(opts);
    const looser = await Deno.stat(path);
    assert.notEqual(looser.ino, first.ino);
    assert.equal(looser.mode! & 0o777, 0o600);
    await writeAdminKubeconfig({ ...opts, token: "other" });
    assert.notEqual((await Deno.stat(path)).ino, looser.ino);
    const other = await Deno.readTextFile(path);
    assert.match(other, /token: other/);

    // The check needs no YAML: a digest line covers the document and the
    // YAML below it, so an edit under an intact digest line is rewritten,
    // and so is a file written before the digest line existed.
    const renamed = (text: string) =>
      text.replace("name: hyperplane", "name: renamed");
    for (const edited of [renamed(other), other.replace(/^#.*\n/, "")]) {
      await Deno.writeTextFile(path, edited);
      const before = await Deno.stat(path);
      await writeAdminKubeconfig({ ...opts, token: "other" });
      assert.notEqual((await Deno.stat(path)).ino, before.ino);
      assert.equal(await Deno.readTextFile(path), other);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
