/**
 * Starts a throwaway PostgreSQL 15 for tests and benchmarks: `initdb` into a
 * temporary directory, then `postgres` on a free 127.0.0.1 port (Unix socket
 * in the same directory), stopped by the PID it started. The server can be
 * killed (SIGKILL, as a crash) and started again on the same data.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root (CI does)
 * the server runs as the `postgres` user the Debian package creates (or a
 * `hyperplane-pg` system user this module creates when there is none), through
 * `setpriv`, which execs in place: the PID we hold is the postmaster's.
 *
 * Host connections need a password (SCRAM); it is in `passwordFile`, so tests
 * exercise `--postgres-password-file`.
 *
 * @example
 * ```ts
 * const pg = await startPostgres();
 * if (pg) {
 *   // connect to pg.url with the password in pg.passwordFile
 *   await pg.stop();
 * }
 * ```
 *
 * @module
 */

import {
  type PostgresConfig,
  postgresConfigFromFlags,
} from "../../backends/postgres/config.ts";

/**
 * The backend's config for `pg`, as the tests run it: its URL and password
 * file, no TLS, no periodic compaction; `flags` add or override.
 */
export function postgresTestConfig(
  pg: Pick<PostgresServer, "url" | "passwordFile">,
  flags: Record<string, string> = {},
): PostgresConfig {
  return postgresConfigFromFlags({
    "postgres-url": pg.url,
    "postgres-password-file": pg.passwordFile,
    "postgres-sslmode": "disable",
    "postgres-compaction-interval": "0",
    ...flags,
  });
}

/** Where Debian installs the PostgreSQL 15 server binaries. */
export const POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";

/** The superuser of the throwaway cluster. */
export const POSTGRES_TEST_USER = "hyperplane";

const PASSWORD = "hyperplane-test-password";

/** A running throwaway server. */
export interface PostgresServer {
  /** `postgres://hyperplane@127.0.0.1:<port>/postgres` (no password). */
  readonly url: string;
  /** The password of {@linkcode POSTGRES_TEST_USER}, one line, in a 0600 file. */
  readonly passwordFile: string;
  /** The password itself (for raw clients in benchmarks). */
  readonly password: string;
  /** The CA that signed the server certificate (with `tls: true`). */
  readonly caFile?: string;
  readonly port: number;
  /** True while the server runs. */
  readonly running: boolean;
  /** A `postgres://` URL for another database on the same server. */
  urlFor(database: string): string;
  /** Creates a database (through `psql`); returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Kills the server like a crash (SIGKILL to it and its backends) and waits. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops the server (fast shutdown, then SIGKILL after 10 s) and removes its directory. */
  stop(): Promise<void>;
  /** Kills the server without waiting and removes nothing (for `unload` handlers). */
  killNow(): void;
  /**
   * Freezes the server and its backends (SIGSTOP): connections stay open
   * and nothing answers, as with a hung host or a silent network.
   */
  pause(): void;
  /** Lets a paused server run on (SIGCONT). */
  resume(): void;
}

/** Options for {@linkcode startPostgres}. */
export interface StartPostgresOptions {
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /**
   * Serve TLS with a certificate for 127.0.0.1 signed by a fresh CA (made
   * with `openssl`); its PEM is at {@linkcode PostgresServer.caFile}.
   */
  tls?: boolean;
}

/** Why PostgreSQL cannot be started here, or `undefined` when it can. */
export function postgresMissing(): string | undefined {
  for (const bin of ["initdb", "postgres"]) {
    try {
      Deno.statSync(`${POSTGRES_BIN_DIR}/${bin}`);
    } catch {
      return `PostgreSQL 15 not installed (${POSTGRES_BIN_DIR}/${bin} missing)`;
    }
  }
  return undefined;
}

/**
 * Returns true (after printing `SKIPPED: …`) when PostgreSQL is not
 * installed. Throws instead with `HYPERPLANE_REQUIRE_SERVICES=1` (CI).
 */
export function skipWithoutPostgres(what = "test"): boolean {
  const reason = postgresMissing();
  if (!reason) return false;
  if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
    throw new Error(
      `${reason} (HYPERPLANE_REQUIRE_SERVICES=1 forbids skipping ${what})`,
    );
  }
  console.error(`SKIPPED: ${reason} (${what})`);
  return true;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

interface RunAs {
  uid: number;
  gid: number;
  /** Command prefix that drops root (empty when not root). */
  prefix: string[];
}

/** The unprivileged user the server runs as when we are root. */
async function runAs(): Promise<RunAs | undefined> {
  if (Deno.uid() !== 0) return undefined;
  for (const name of ["postgres", "hyperplane-pg"]) {
    const ids = await idsOf(name);
    if (ids) return { ...ids, prefix: setpriv(ids) };
  }
  // A fresh machine without the Debian package's user: make a system user.
  const out = await new Deno.Command("useradd", {
    args: [
      "--system",
      "--no-create-home",
      "--shell",
      "/usr/sbin/nologin",
      "hyperplane-pg",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  const ids = await idsOf("hyperplane-pg");
  if (!ids) {
    throw new Error(
      `cannot create a non-root user for PostgreSQL: ${
        new TextDecoder().decode(out.stderr).trim()
      }`,
    );
  }
  return { ...ids, prefix: setpriv(ids) };
}

function setpriv(ids: { uid: number; gid: number }): string[] {
  return [
    "setpriv",
    `--reuid=${ids.uid}`,
    `--regid=${ids.gid}`,
    "--clear-groups",
    "--",
  ];
}

async function idsOf(
  name: string,
): Promise<{ uid: number; gid: number } | undefined> {
  const id = async (flag: string) => {
    const out = await new Deno.Command("id", {
      args: [flag, name],
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success
      ? Number(new TextDecoder().decode(out.stdout).trim())
      : undefined;
  };
  const uid = await id("-u");
  const gid = await id("-g");
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

async function run(
  cmd: string[],
  what: string,
  timeoutMs = 60_000,
): Promise<string> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${what} failed: ${text.trim()}`);
  return text;
}

async function canConnect(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** PIDs whose parent is `pid` (Linux /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^[0-9]+$/.test(entry.name)) continue;
      try {
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        const ppid = Number(
          stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1],
        );
        if (ppid === pid) out.push(Number(entry.name));
      } catch { /* raced with exit */ }
    }
  } catch { /* no /proc */ }
  return out;
}

function alive(pid: number): boolean {
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates and starts a throwaway server, or returns `undefined` after
 * printing `SKIPPED: …` when PostgreSQL is not installed (throws instead
 * with `HYPERPLANE_REQUIRE_SERVICES=1`).
 */
export async function startPostgres(
  opts: StartPostgresOptions = {},
): Promise<PostgresServer | undefined> {
  if (skipWithoutPostgres("postgres")) return undefined;
  const user = await runAs();
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-pg-" });
  const data = `${dir}/data`;
  const pwfile = `${dir}/password`;
  await Deno.writeTextFile(pwfile, PASSWORD + "\n", { mode: 0o600 });
  if (user) {
    await Deno.chown(dir, user.uid, user.gid);
    await Deno.chown(pwfile, user.uid, user.gid);
  }
  const prefix = user?.prefix ?? [];
  await run([
    ...prefix,
    `${POSTGRES_BIN_DIR}/initdb`,
    "-D",
    data,
    "-U",
    POSTGRES_TEST_USER,
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    `--pwfile=${pwfile}`,
  ], "initdb");
  const tlsSettings: Record<string, string> = {};
  let caFile: string | undefined;
  if (opts.tls) {
    caFile = `${dir}/ca.pem`;
    await makeCertificates(dir);
    if (user) {
      for (const f of ["server.pem", "server.key"]) {
        await Deno.chown(`${dir}/${f}`, user.uid, user.gid);
      }
    }
    tlsSettings.ssl = "on";
    tlsSettings.ssl_cert_file = `${dir}/server.pem`;
    tlsSettings.ssl_key_file = `${dir}/server.key`;
  }
  let port = freePort();
  // fsync off: tests kill processes, never the machine, and the shared disk
  // is slow; commits still reach the OS before they are acknowledged.
  const argsFor = (port: number) => {
    const settings: Record<string, string> = {
      listen_addresses: "127.0.0.1",
      port: String(port),
      unix_socket_directories: dir,
      fsync: "off",
      full_page_writes: "off",
      max_connections: "200",
      shared_buffers: "64MB",
      log_min_messages: "fatal",
      ...tlsSettings,
      ...opts.settings,
    };
    return [
      ...prefix,
      `${POSTGRES_BIN_DIR}/postgres`,
      "-D",
      data,
      ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ];
  };
  let child: Deno.ChildProcess | undefined;
  let status: Promise<Deno.CommandStatus> | undefined;
  let exited = false;

  const spawn = () => {
    const args = argsFor(port);
    child = new Deno.Command(args[0], {
      args: args.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    exited = false;
    status = child.status;
    status.then(() => exited = true);
  };
  const waitReady = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (await canConnect(port)) {
        // The port opens before recovery ends; ask the server itself.
        const ok = await new Deno.Command(`${POSTGRES_BIN_DIR}/pg_isready`, {
          args: ["-h", "127.0.0.1", "-p", String(port), "-q"],
          stdout: "null",
          stderr: "null",
        }).output().catch(() => ({ success: true }));
        if (ok.success) return;
      }
      if (exited) {
        throw new Error(`postgres exited at start on 127.0.0.1:${port}`);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `postgres did not accept connections on 127.0.0.1:${port} within 30s`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const killTree = (signal: Deno.Signal) => {
    // Once reaped, the PID may belong to someone else: never signal it.
    if (!child || exited) return [];
    const pid = child.pid;
    const kids = childPids(pid);
    try {
      Deno.kill(pid, signal);
    } catch { /* gone */ }
    for (const k of kids) {
      try {
        Deno.kill(k, signal);
      } catch { /* gone */ }
    }
    return kids;
  };
  const kill = async () => {
    if (!child) return;
    const kids = killTree("SIGKILL");
    await status;
    child = undefined;
    // Backends hold the shared memory; a restart waits until they are gone.
    const deadline = Date.now() + 10_000;
    while (kids.some(alive) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  // The port was free a moment ago; another test may take it first.
  for (let attempt = 1;; attempt++) {
    spawn();
    try {
      await waitReady();
      break;
    } catch (err) {
      await kill();
      if (attempt < 3 && exited) {
        port = freePort();
        continue;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw err;
    }
  }
  const base = `postgres://${POSTGRES_TEST_USER}@127.0.0.1:${port}`;
  const server: PostgresServer = {
    url: `${base}/postgres`,
    passwordFile: pwfile,
    password: PASSWORD,
    ...(caFile ? { caFile } : {}),
    port,
    get running() {
      return child !== undefined;
    },
    urlFor: (db) => `${base}/${db}`,
    async createDatabase(name) {
      await run([
        `${POSTGRES_BIN_DIR}/psql`,
        "-h",
        dir,
        "-p",
        String(port),
        "-U",
        POSTGRES_TEST_USER,
        "-d",
        "postgres",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        `CREATE DATABASE "${name}"`,
      ], `creating database ${name}`);
      return `${base}/${name}`;
    },
    kill,
    async start() {
      if (child) return;
      spawn();
      await waitReady();
    },
    async stop() {
      if (child) {
        killTree("SIGCONT"); // a paused server could not shut down
        if (!exited) {
          try {
            Deno.kill(child.pid, "SIGINT"); // fast shutdown
          } catch { /* gone */ }
        }
        const timer = setTimeout(() => killTree("SIGKILL"), 10_000);
        await status;
        clearTimeout(timer);
        child = undefined;
      }
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    killNow() {
      killTree("SIGKILL");
    },
    pause() {
      killTree("SIGSTOP");
    },
    resume() {
      killTree("SIGCONT");
    },
  };
  return server;
}

/** A CA and a server certificate for 127.0.0.1/localhost in `dir` (openssl). */
async function makeCertificates(dir: string): Promise<void> {
  const ossl = (args: string[]) => run(["openssl", ...args], "openssl");
  await ossl([
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=hyperplane-test-ca",
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
  ]);
  await ossl([
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    `${dir}/server.key`,
    "-out",
    `${dir}/server.csr`,
  ]);
  await Deno.writeTextFile(
    `${dir}/san.ext`,
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  await ossl([
    "x509",
    "-req",
    "-in",
    `${dir}/server.csr`,
    "-CA",
    `${dir}/ca.pem`,
    "-CAkey",
    `${dir}/ca.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    `${dir}/san.ext`,
    "-out",
    `${dir}/server.pem`,
  ]);
  await Deno.chmod(`${dir}/server.key`, 0o600);
}
