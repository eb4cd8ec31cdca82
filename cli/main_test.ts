import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

async function hyperplane(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

async function assertUsageError(args: string[], pattern: RegExp) {
  const r = await hyperplane(...args);
  assert.equal(r.code, 2, `exit code for ${args.join(" ")}: ${r.stderr}`);
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one line expected, got: ${r.stderr}`);
  assert.match(lines[0], pattern);
}

Deno.test("top-level --help lists the subcommands", async () => {
  const r = await hyperplane("--help");
  assert.equal(r.code, 0);
  for (const cmd of ["server", "apiserver", "controller-manager", "version"]) {
    assert.match(r.stdout, new RegExp(`\\b${cmd}\\b`));
  }
});

Deno.test("server --help shows serving flags and every backend's flag block", async () => {
  const r = await hyperplane("server", "--help");
  assert.equal(r.code, 0);
  for (
    const flag of [
      "--data-dir",
      "--bind-address",
      "--secure-port",
      "--storage-backend",
      "--write-kubeconfig",
      "--sqlite-path",
      "--etcd-servers",
      "--etcd-prefix",
      "--etcd-cafile",
      "--etcd-certfile",
      "--etcd-keyfile",
      "--spanner-project",
      "--spanner-instance",
      "--spanner-database",
      "--spanner-emulator-host",
    ]
  ) {
    assert.ok(r.stdout.includes(flag), `help lacks ${flag}`);
  }
  assert.match(r.stdout, /--storage-backend NAME\n.*\(default "sqlite"\)/);
  assert.match(r.stdout, /--secure-port PORT\n.*\(default "6443"\)/);
  assert.match(r.stdout, /--etcd-prefix PREFIX\n.*\(default "\/registry"\)/);
});

Deno.test("every subcommand answers --help", async () => {
  for (const cmd of ["server", "apiserver", "controller-manager", "version"]) {
    const r = await hyperplane(cmd, "--help");
    assert.equal(r.code, 0, cmd);
    assert.match(r.stdout, new RegExp(`Usage: hyperplane ${cmd}`));
  }
});

Deno.test("version prints hyperplane's and the API's version", async () => {
  const r = await hyperplane("version", "--output", "json");
  assert.equal(r.code, 0);
  const info = JSON.parse(r.stdout);
  assert.match(info.kubernetes, /^v1\.\d+\.\d+/);
  assert.equal(typeof info.hyperplane, "string");
});

Deno.test("an unknown flag is one line and exit code 2", async () => {
  await assertUsageError(
    ["server", "--bogus"],
    /^hyperplane: unknown flag: --bogus$/,
  );
});

Deno.test("an unknown backend names the registered backends, exit code 2", async () => {
  await assertUsageError(
    ["server", "--storage-backend=nope"],
    /^hyperplane: unknown storage backend "nope" \(registered: etcd, memory, postgres, spanner, sqlite\)$/,
  );
});

Deno.test("an unknown subcommand is one line and exit code 2", async () => {
  await assertUsageError(["frobnicate"], /unknown command "frobnicate"/);
});

Deno.test("a flag without its value is one line and exit code 2", async () => {
  await assertUsageError(
    ["server", "--secure-port"],
    /flag needs an argument: --secure-port/,
  );
});

Deno.test("an invalid port is one line and exit code 2, nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertUsageError([
      "server",
      "--data-dir",
      dir,
      "--secure-port",
      "99999",
    ], /--secure-port must be a port number/);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("controller-manager without --kubeconfig is a usage error", async () => {
  await assertUsageError(["controller-manager"], /--kubeconfig is required/);
});

Deno.test("bad authorization, flow-control and shutdown flags are reported at once, exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertUsageError(
      [
        "server",
        "--data-dir",
        dir,
        "--authorization-mode",
        "Webhook",
        "--max-requests-inflight",
        "-1",
        "--shutdown-grace-period",
        "soon",
      ],
      /--max-requests-inflight must be a whole number.*--shutdown-grace-period: invalid duration.*--authorization-mode must be one of RBAC, AlwaysAllow/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bad --virtual-clusters mode is a usage error that names the modes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assertUsageError(
      ["server", "--data-dir", dir, "--virtual-clusters", "lazy"],
      /--virtual-clusters must be one of declared, implicit, got "lazy"/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
