import assert from "node:assert/strict";
import { startTesterServer } from "../../tests/support/serving_fixture.ts";
import type { ApiHandler } from "../request_context.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolved each time a `/slow` request reaches the handler. */
let slowStarted = Promise.withResolvers<void>();

/** `/slow` answers after 300 ms, anything else at once. */
const handler: ApiHandler = async (req) => {
  if (new URL(req.url).pathname === "/slow") {
    slowStarted.resolve();
    await sleep(300);
  }
  return new Response(`done ${new URL(req.url).pathname}`);
};

function serve(opts: { shutdownDelayMs?: number } = {}) {
  return startTesterServer(handler, { shutdownGraceMs: 5_000, ...opts });
}

async function readAll(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  conn.close();
  return text;
}

Deno.test("shutdown: the reply in flight is delivered with Connection: close, a request behind it gets 503, new connections are refused", async () => {
  const s = await serve();
  try {
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port: s.server.port,
      caCerts: [s.caCert],
    });
    await conn.write(
      new TextEncoder().encode(
        "GET /slow HTTP/1.1\r\nhost: x\r\n\r\nGET /after HTTP/1.1\r\nhost: x\r\n\r\n",
      ),
    );
    await sleep(100); // the slow request is in the handler
    const closing = s.server.close();
    const text = await readAll(conn);
    const [first, second] = text.split(/(?=HTTP\/1\.1 )/);
    assert.match(first, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(first, /\r\nconnection: close\r\n/i);
    assert.match(first, /done \/slow$/);
    assert.match(second, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(second, /\r\nretry-after: 1\r\n/i);
    assert.match(second, /\r\nconnection: close\r\n/i);
    assert.match(second, /"reason":"ServiceUnavailable"/);
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port: s.server.port }),
    );
    await closing;
  } finally {
    await s.dispose();
  }
});

Deno.test("shutdown: readyz fails during the delay while requests are still served", async () => {
  const s = await serve({ shutdownDelayMs: 500 });
  const client = Deno.createHttpClient({ caCerts: [s.caCert] });
  try {
    const url = `https://127.0.0.1:${s.server.port}`;
    assert.equal(await (await fetch(`${url}/readyz`, { client })).text(), "ok");
    const closing = s.server.close();
    const ready = await fetch(`${url}/readyz`, { client });
    assert.equal(ready.status, 500);
    assert.match(await ready.text(), /\[-\]shutdown failed: reason withheld/);
    const res = await fetch(`${url}/version`, { client });
    assert.equal(await res.text(), "done /version");
    await closing;
  } finally {
    client.close();
    await s.dispose();
  }
});

Deno.test("shutdown: an HTTP/2 stream open at shutdown completes", async () => {
  slowStarted = Promise.withResolvers<void>();
  const s = await serve();
  const dir = await Deno.makeTempDir({ prefix: "hyperplane-h2-" });
  try {
    await Deno.writeTextFile(`${dir}/ca.crt`, s.caCert);
    // curl: an independent HTTP/2 client.
    const curl = new Deno.Command("curl", {
      args: [
        "-sS",
        "-v",
        "--http2",
        "--max-time",
        "10",
        "--cacert",
        `${dir}/ca.crt`,
        `https://127.0.0.1:${s.server.port}/slow`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await slowStarted.promise; // the stream is open, its handler sleeping
    await s.server.close();
    const out = await curl.output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(new TextDecoder().decode(out.stdout), "done /slow", stderr);
    assert.match(stderr, /< HTTP\/2 200/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await s.dispose();
  }
});
