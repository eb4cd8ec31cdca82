import assert from "node:assert/strict";
import { loadOrCreateSigningKey, rememberSigningKey } from "./signing_key.ts";
import {
  DEFAULT_ISSUER,
  InvalidTokenError,
  ServiceAccountTokenIssuer,
} from "./token_issuer.ts";
import { mountTmpfs, skipWithoutTmpfs } from "../../tests/support/tmpfs.ts";

Deno.test("the key file is created once (0600) and reused, so tokens outlive a restart", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/pki/service-account.key`;
    const first = await loadOrCreateSigningKey(path);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.match(await Deno.readTextFile(path), /BEGIN PRIVATE KEY/);
    const again = await loadOrCreateSigningKey(path);
    assert.equal(again.keyId, first.keyId);
    const before = new ServiceAccountTokenIssuer({
      key: () => Promise.resolve(first),
    });
    const after = new ServiceAccountTokenIssuer({
      key: () => Promise.resolve(again),
    });
    const { token } = await before.issue({
      cluster: "root",
      namespace: "default",
      serviceAccount: { name: "a", uid: "u" },
      audiences: [before.issuer],
      expirationSeconds: 600,
    });
    assert.equal((await after.verify(token))?.name, "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a key file that is not an ES256 PKCS#8 key is an error naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/bad.key`;
    await Deno.writeTextFile(path, "not a key\n");
    await assert.rejects(
      () => loadOrCreateSigningKey(path),
      (e: unknown) =>
        e instanceof Error && e.message.includes(path) &&
        /PKCS#8/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(path), "not a key\n", "left alone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty key file is an error naming the file and saying to delete it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/service-account.key`;
    await Deno.writeTextFile(path, "");
    await assert.rejects(
      () => loadOrCreateSigningKey(path),
      (e: unknown) =>
        e instanceof Error && e.message.includes(path) &&
        /is empty; .*delete it to have a new one generated/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a key that cannot be written on a full disk leaves no file, and the next try writes it", async () => {
  const disk = await mountTmpfs(1024 * 1024);
  if (skipWithoutTmpfs(disk, "signing key on a full disk")) return;
  await using _ = disk;
  const path = `${disk.path}/pki/service-account.key`;
  await Deno.mkdir(`${disk.path}/pki`);
  await disk.fill();
  await assert.rejects(
    () => loadOrCreateSigningKey(path),
    (e: unknown) =>
      e instanceof Error && e.message.includes(path) &&
      /disk is full/.test(e.message),
  );
  assert.deepEqual([...Deno.readDirSync(`${disk.path}/pki`)], []);
  await disk.free();
  const key = await loadOrCreateSigningKey(path);
  assert.equal((await loadOrCreateSigningKey(path)).keyId, key.keyId);
  assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
});

Deno.test("rotation: a replaced key file signs new tokens while earlier keys still verify theirs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-sa-rotate-" });
  const keyFile = `${dir}/service-account.key`;
  const history = `${dir}/service-account.pub`;
  const spec = {
    cluster: "root",
    namespace: "default",
    serviceAccount: { name: "ci", uid: "u1" },
    audiences: [DEFAULT_ISSUER],
    expirationSeconds: 3600,
  };
  const issuerFor = () =>
    new ServiceAccountTokenIssuer({
      key: async () =>
        rememberSigningKey(history, await loadOrCreateSigningKey(keyFile)),
    });
  try {
    const before = issuerFor();
    const old = await before.issue(spec);
    // The key is replaced (deleted: a new one is generated) and the server
    // restarted.
    await Deno.remove(keyFile);
    const after = issuerFor();
    const fresh = await after.issue(spec);
    const kid = (t: string) => JSON.parse(atob(t.split(".")[0])).kid;
    assert.notEqual(kid(old.token), kid(fresh.token));
    assert.equal((await after.verify(old.token))?.name, "ci");
    assert.equal((await after.verify(fresh.token))?.name, "ci");
    const jwks = await after.publicKeys();
    assert.deepEqual(
      jwks.keys.map((k) => k.kid).sort(),
      [kid(old.token), kid(fresh.token)].sort(),
    );
    assert.equal((await Deno.stat(history)).mode! & 0o777, 0o600);
    // Removing the old key from the history stops trusting its tokens.
    const text = await Deno.readTextFile(history);
    await Deno.writeTextFile(
      history,
      text.slice(text.indexOf("-----END PUBLIC KEY-----") + 25),
    );
    const pruned = issuerFor();
    await assert.rejects(pruned.verify(old.token), InvalidTokenError);
    assert.equal((await pruned.verify(fresh.token))?.name, "ci");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
