/**
 * What client-certificate authentication costs the TLS front
 * (`apiserver/serving/`): a secure server answering a tiny JSON body with
 * the caller's user name, (1) with `wrk` (bearer token, 64 connections)
 * with client certificates off and on — the path of every request without a
 * certificate — and (2) with a Deno `fetch` client (64 concurrent loops,
 * HTTP/1.1 and HTTP/2), bearer token against a client certificate — the
 * path of a request whose connection carries one (its own inner listener).
 * The server runs in a child process (`_client_cert_server.ts`), so the
 * `fetch` client does not share its thread. Prints requests per second and
 * the ratios of the same run.
 *
 * `deno run -A bench/client_cert_load.ts [seconds per phase, default 5]`
 *
 * @module
 */

import {
  ensureCertificates,
  ensureClientCa,
  issueClientCertificate,
} from "../apiserver/serving/mod.ts";
import { haveWrk, wrkRate } from "./_wrk.ts";

const seconds = Number(Deno.args[0] ?? 5);
const dataDir = await Deno.makeTempDir({ prefix: "hyperplane-certbench-" });
const tls = await ensureCertificates({ dataDir });
const clientCa = await ensureClientCa({ dataDir });
const token = "bench-token";

/** Starts `_client_cert_server.ts` in a child; resolves with its port. */
async function serve(withCerts: boolean) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_client_cert_server.ts", import.meta.url).pathname,
      dataDir,
      withCerts ? "on" : "off",
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  const port = Number(new TextDecoder().decode(value).trim());
  return {
    port,
    async close() {
      child.kill();
      await child.stdout.cancel();
      await child.status;
    },
  };
}

async function fetchRate(
  url: string,
  client: Deno.HttpClient,
  headers: Record<string, string>,
): Promise<number> {
  let n = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (performance.now() < until) {
      const res = await fetch(url, { client, headers });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.arrayBuffer();
      n++;
    }
  }));
  return n / seconds;
}

const rows: [string, number][] = [];
try {
  if (haveWrk()) {
    for (const withCerts of [false, true]) {
      const server = await serve(withCerts);
      const url = `https://127.0.0.1:${server.port}/api`;
      const rate = await wrkRate(url, {
        authorization: `Bearer ${token}`,
      }, seconds * 1000);
      rows.push([
        `wrk, token, client certificates ${withCerts ? "on" : "off"}`,
        rate,
      ]);
      await server.close();
    }
  } else {
    console.error("SKIPPED wrk phases: wrk not installed");
  }
  const server = await serve(true);
  const url = `https://127.0.0.1:${server.port}/api`;
  const pair = await issueClientCertificate(clientCa, {
    user: "alice",
    groups: ["dev"],
    validForMs: 3600_000,
  });
  for (const http2 of [false, true]) {
    const v = http2 ? "HTTP/2" : "HTTP/1.1";
    const plain = Deno.createHttpClient({
      caCerts: [tls.caCert!],
      http1: !http2,
      http2,
    });
    const withCert = Deno.createHttpClient({
      caCerts: [tls.caCert!],
      http1: !http2,
      http2,
      cert: pair.certPem,
      key: pair.keyPem,
    });
    // A warm-up round each (connections, JIT), then the measured one.
    await fetchRate(url, plain, { authorization: `Bearer ${token}` });
    await fetchRate(url, withCert, {});
    rows.push([
      `fetch ${v}, token`,
      await fetchRate(url, plain, { authorization: `Bearer ${token}` }),
    ]);
    rows.push([
      `fetch ${v}, client certificate`,
      await fetchRate(url, withCert, {}),
    ]);
    plain.close();
    withCert.close();
  }
  await server.close();
} finally {
  await Deno.remove(dataDir, { recursive: true });
}
for (const [name, rate] of rows) {
  console.log(`${name.padEnd(44)} ${Math.round(rate).toLocaleString("en")}/s`);
}
const byName = new Map(rows);
const ratio = (a: string, b: string) => {
  const x = byName.get(a);
  const y = byName.get(b);
  if (x && y) console.log(`${a} / ${b}: ${(x / y).toFixed(2)}`);
};
ratio(
  "wrk, token, client certificates on",
  "wrk, token, client certificates off",
);
ratio("fetch HTTP/1.1, client certificate", "fetch HTTP/1.1, token");
ratio("fetch HTTP/2, client certificate", "fetch HTTP/2, token");
