import assert from "node:assert/strict";
import { loadOrCreateSigningKey } from "./signing_key.ts";
import { ServiceAccountTokenIssuer } from "./token_issuer.ts";
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
