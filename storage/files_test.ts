import assert from "node:assert/strict";
import type { Logger } from "../log/mod.ts";
import { silentLogger } from "../log/mod.ts";
import { mountTmpfs, skipWithoutTmpfs } from "../tests/support/tmpfs.ts";
import {
  createFileAtomic,
  ensurePrivateFileSync,
  FileWriteError,
  securePrivateDir,
  tightenFileSync,
  writeFileAtomic,
} from "./files.ts";

const modeOf = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

async function tempDir(): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix: "hp-files-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("writeFileAtomic creates the directory 0700 and the file 0600, and replaces it whole", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a/b/secret.key`;
  await writeFileAtomic(path, "one");
  assert.equal(await Deno.readTextFile(path), "one");
  assert.equal(await modeOf(path), 0o600);
  assert.equal(await modeOf(`${dir.path}/a`), 0o700);
  assert.equal(await modeOf(`${dir.path}/a/b`), 0o700);
  await Deno.chmod(path, 0o644);
  await writeFileAtomic(path, new TextEncoder().encode("two"));
  assert.equal(await Deno.readTextFile(path), "two");
  assert.equal(await modeOf(path), 0o600, "an old open mode is not kept");
  await writeFileAtomic(`${dir.path}/a/b/ca.crt`, "cert", { mode: 0o644 });
  assert.equal(await modeOf(`${dir.path}/a/b/ca.crt`), 0o644);
  assert.deepEqual(await names(`${dir.path}/a/b`), ["ca.crt", "secret.key"]);
});

Deno.test("writeFileAtomic leaves an existing directory's mode alone", async () => {
  await using dir = await tempDir();
  await Deno.chmod(dir.path, 0o755);
  await writeFileAtomic(`${dir.path}/admin.kubeconfig`, "x");
  assert.equal(await modeOf(dir.path), 0o755);
});

Deno.test("createFileAtomic writes only when the file is missing", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/pki/sa.key`;
  assert.equal(await createFileAtomic(path, "first"), true);
  assert.equal(await modeOf(path), 0o600);
  assert.equal(await createFileAtomic(path, "second"), false);
  assert.equal(await Deno.readTextFile(path), "first");
  assert.deepEqual(await names(`${dir.path}/pki`), ["sa.key"]);
});

Deno.test("on a full disk a write leaves the old file or none, and says the disk is full", async () => {
  const disk = await mountTmpfs(1024 * 1024);
  if (skipWithoutTmpfs(disk, "atomic writes on a full disk")) return;
  await using _ = disk;
  const old = `${disk.path}/tokens.csv`;
  await writeFileAtomic(old, "old\n");
  await disk.fill();
  const big = "x".repeat(64 * 1024);
  const isFull = (path: string) => (err: unknown) =>
    err instanceof FileWriteError && err.noSpace && err.path === path &&
    err.message.includes(path) && /disk is full/.test(err.message);
  await assert.rejects(writeFileAtomic(old, big), isFull(old));
  assert.equal(await Deno.readTextFile(old), "old\n");
  const fresh = `${disk.path}/pki/service-account.key`;
  await assert.rejects(createFileAtomic(fresh, big), isFull(fresh));
  await assert.rejects(Deno.stat(fresh), Deno.errors.NotFound);
  assert.deepEqual(await names(disk.path), [".filler", "pki", "tokens.csv"]);
  assert.deepEqual(await names(`${disk.path}/pki`), []);
  await disk.free();
  assert.equal(await createFileAtomic(fresh, big), true);
  assert.equal(await Deno.readTextFile(fresh), big);
});

Deno.test("ensurePrivateFileSync creates a missing file 0600 and tightens an open one", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/state.db`;
  assert.equal(ensurePrivateFileSync(path), undefined);
  assert.equal(await modeOf(path), 0o600);
  assert.equal((await Deno.stat(path)).size, 0);
  await Deno.writeTextFile(path, "data");
  await Deno.chmod(path, 0o644);
  assert.equal(ensurePrivateFileSync(path), 0o644);
  assert.equal(await modeOf(path), 0o600);
  assert.equal(await Deno.readTextFile(path), "data", "content kept");
  assert.equal(tightenFileSync(`${dir.path}/missing`), undefined);
});

Deno.test("securePrivateDir creates the directory 0700", async () => {
  await using dir = await tempDir();
  const data = `${dir.path}/x/data`;
  assert.deepEqual(await securePrivateDir(data), []);
  assert.equal(await modeOf(data), 0o700);
  assert.equal(await modeOf(`${dir.path}/x`), 0o700);
});

Deno.test("securePrivateDir tightens an open tree once, leaving certificates and links alone", async () => {
  await using dir = await tempDir();
  const data = `${dir.path}/data`;
  await Deno.mkdir(`${data}/tls`, { recursive: true });
  await Deno.chmod(data, 0o755);
  await Deno.chmod(`${data}/tls`, 0o775);
  await Deno.writeTextFile(`${data}/state.db`, "", { mode: 0o644 });
  await Deno.writeTextFile(`${data}/tls/ca.key`, "", { mode: 0o640 });
  await Deno.writeTextFile(`${data}/tls/ca.crt`, "", { mode: 0o644 });
  await Deno.writeTextFile(`${dir.path}/outside`, "", { mode: 0o644 });
  await Deno.chmod(`${data}/state.db`, 0o644);
  await Deno.chmod(`${data}/tls/ca.key`, 0o640);
  await Deno.chmod(`${data}/tls/ca.crt`, 0o644);
  await Deno.chmod(`${dir.path}/outside`, 0o644);
  await Deno.symlink(`${dir.path}/outside`, `${data}/link`);
  const lines: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    info: (msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`),
  };
  const tightened = await securePrivateDir(data, { logger });
  assert.deepEqual(
    tightened.map((t) => [t.path.slice(data.length), t.from, t.to]).sort(),
    [
      ["", 0o755, 0o700],
      ["/state.db", 0o644, 0o600],
      ["/tls", 0o775, 0o700],
      ["/tls/ca.key", 0o640, 0o600],
    ].sort(),
  );
  assert.equal(await modeOf(`${data}/tls/ca.crt`), 0o644);
  assert.equal(await modeOf(`${dir.path}/outside`), 0o644, "link target");
  assert.equal(lines.length, 1);
  assert.match(lines[0], /tightened file modes/);
  assert.match(lines[0], /state\.db 644->600/);
  assert.deepEqual(await securePrivateDir(data, { logger }), []);
  assert.equal(lines.length, 1, "nothing left to log");
});
