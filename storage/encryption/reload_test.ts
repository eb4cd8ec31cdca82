import assert from "node:assert/strict";
import { join } from "node:path";
import { silentLogger } from "../../log/mod.ts";
import { openEncryption } from "./mod.ts";

const config = (provider: string) =>
  `apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers: [${provider}]
`;
const GCM = `{aesgcm: {keys: [{name: k, secret: ${btoa("k".repeat(32))}}]}}`;

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("automatic reload swaps the providers when the file changes and keeps them when it becomes invalid", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "enc.yaml");
  await Deno.writeTextFile(file, config("{identity: {}}"));
  const enc = await openEncryption({
    configFile: file,
    automaticReload: true,
    logger: silentLogger,
    reloadIntervalMs: 50,
  });
  try {
    const secrets = () => enc.providers.transformerFor({ resource: "secrets" });
    assert.ok(!secrets().encrypts);
    await Deno.writeTextFile(file, config(GCM));
    await until(() => secrets().encrypts);
    await Deno.writeTextFile(file, "kind: [broken");
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(secrets().encrypts, "an invalid file keeps the providers");
  } finally {
    await enc.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without automatic reload the file is read once; a bad file names itself", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "enc.yaml");
  await Deno.writeTextFile(file, config("{identity: {}}"));
  const enc = await openEncryption({
    configFile: file,
    automaticReload: false,
    logger: silentLogger,
  });
  await Deno.writeTextFile(file, config(GCM));
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!enc.providers.transformerFor({ resource: "secrets" }).encrypts);
  await enc.close();
  await Deno.writeTextFile(file, "kind: x");
  await assert.rejects(
    openEncryption({
      configFile: file,
      automaticReload: false,
      logger: silentLogger,
    }),
    new RegExp(`${file}: kind: must be EncryptionConfiguration`),
  );
  await Deno.remove(dir, { recursive: true });
});
