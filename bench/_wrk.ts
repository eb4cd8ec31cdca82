/**
 * GET throughput with `wrk` (Debian package `wrk`), when it is installed.
 * A Deno `fetch` client tops out at ~10–15k requests/s on this machine,
 * below a `Deno.serve` hello-world, so a hello-world "baseline" measured
 * with it measures the client; `wrk` (C, epoll, HTTP/1.1 over TLS) does not.
 *
 * @module
 */

/** True when a `wrk` binary is on PATH. */
export function haveWrk(): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    try {
      if (dir && Deno.statSync(`${dir}/wrk`).isFile) return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * A wrk script POSTing `{"metadata":{"name":"<prefix>-<thread>-<n>"},
 * "data":{"key":"value"}}`: a new name for every request.
 */
const CREATE_SCRIPT = `
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function init(args)
  prefix = args[1]
  n = 0
end
function request()
  n = n + 1
  local body = '{"metadata":{"name":"' .. prefix .. '-' .. id .. '-' .. n ..
    '"},"data":{"key":"value"}}'
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", nil, headers, body)
end
`;

/**
 * Requests per second of GET `url` from `wrk` with `connections` connections
 * on 2 threads for `durationMs`. Throws when any answer was not 2xx/3xx or
 * connections failed. With `createPrefix`, POSTs a new configmap per request
 * instead (names `<createPrefix>-<thread>-<n>`).
 */
export async function wrkRate(
  url: string,
  headers: Record<string, string>,
  durationMs: number,
  opts: { connections?: number; createPrefix?: string } = {},
): Promise<number> {
  const args = [
    "-t2",
    `-c${opts.connections ?? 64}`,
    `-d${Math.max(1, Math.round(durationMs / 1000))}s`,
    "--timeout",
    "10s",
  ];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  let script: string | undefined;
  if (opts.createPrefix !== undefined) {
    script = await Deno.makeTempFile({ suffix: ".lua" });
    await Deno.writeTextFile(script, CREATE_SCRIPT);
    args.push("-s", script, url, "--", opts.createPrefix);
  } else {
    args.push(url);
  }
  try {
    return (await run(url, args, durationMs)).rate;
  } finally {
    if (script) await Deno.remove(script).catch(() => {});
  }
}

/** What one wrk run measured. */
export interface WrkResult {
  /** Requests per second. */
  rate: number;
  /** Requests completed. */
  requests: number;
}

/**
 * GET `url` with `wrk -t2 -c<connections>` for `durationMs`; throws as
 * {@linkcode wrkRate} does.
 */
export function wrkGet(
  url: string,
  durationMs: number,
  connections = 64,
  headers: Record<string, string> = {},
): Promise<WrkResult> {
  const args = [
    "-t2",
    `-c${connections}`,
    `-d${Math.max(1, Math.round(durationMs / 1000))}s`,
    "--timeout",
    "10s",
  ];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  args.push(url);
  return run(url, args, durationMs);
}

async function run(
  url: string,
  args: string[],
  durationMs: number,
): Promise<WrkResult> {
  const out = await new Deno.Command("wrk", {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(durationMs + 30_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `wrk ${url}: exit ${out.code}: ${new TextDecoder().decode(out.stderr)}`,
    );
  }
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  if (bad) throw new Error(`wrk ${url}: ${bad[1]} answers were not 2xx/3xx`);
  const connect = /Socket errors: connect (\d+)/.exec(text);
  if (connect && Number(connect[1]) > 0) {
    throw new Error(`wrk ${url}: ${connect[1]} connections failed`);
  }
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const requests = /(\d+) requests in/.exec(text);
  if (!rate || !requests) {
    throw new Error(`wrk ${url}: no rate in its output:\n${text}`);
  }
  return { rate: Number(rate[1]), requests: Number(requests[1]) };
}
