import assert from "node:assert/strict";
import {
  startTesterServer,
  type TesterServer,
} from "../../tests/support/serving_fixture.ts";
import type { ApiHandler } from "../request_context.ts";
import type { FrontTimeouts } from "./tls_front.ts";

const SHORT: FrontTimeouts = {
  handshakeMs: 300,
  headerMs: 300,
  bodyMs: 300,
  idleMs: 300,
};
/** Far above every short timeout: a connection still open then was not closed. */
const BOUND_MS = 10_000;

const hello: ApiHandler = () => Promise.resolve(new Response("hello"));

type Served = TesterServer;

function serve(
  handler: ApiHandler,
  opts: { timeouts?: Partial<FrontTimeouts>; maxConnections?: number } = {},
): Promise<Served> {
  return startTesterServer(handler, {
    timeouts: opts.timeouts ?? SHORT,
    maxConnections: opts.maxConnections,
    shutdownGraceMs: 2_000,
  });
}

/** Reads until EOF or error; resolves with what was read, or "open" after `BOUND_MS`. */
async function readToEnd(
  conn: Deno.Conn | Deno.TlsConn,
  boundMs = BOUND_MS,
): Promise<string | "open"> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"open">((r) => {
    timer = setTimeout(() => r("open"), boundMs);
  });
  try {
    while (true) {
      const n = await Promise.race([conn.read(buf).catch(() => null), late]);
      if (n === "open") return "open";
      if (n === null) return text;
      text += decoder.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

function tcp(port: number) {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

function tlsConn(s: Served) {
  return Deno.connectTls({
    hostname: "127.0.0.1",
    port: s.server.port,
    caCerts: [s.caCert],
  });
}

async function write(conn: Deno.Conn, text: string) {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

Deno.test("idle and slow connections are closed by their timeouts", async (t) => {
  const s = await serve(hello);
  try {
    await t.step(
      "raw TCP without a handshake (handshake timeout)",
      async () => {
        assert.equal(await readToEnd(await tcp(s.server.port)), "");
      },
    );
    await t.step("a partial TLS record (handshake timeout)", async () => {
      const conn = await tcp(s.server.port);
      await conn.write(new Uint8Array([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));
      assert.notEqual(await readToEnd(conn), "open");
    });
    await t.step("TLS without a request (header timeout)", async () => {
      const conn = await tlsConn(s);
      await conn.handshake();
      assert.equal(await readToEnd(conn), "");
    });
    await t.step(
      "a request whose headers never end (header timeout)",
      async () => {
        const conn = await tlsConn(s);
        await write(conn, "GET /version HTTP/1.1\r\nhost: x\r\nx-slow: ");
        assert.equal(await readToEnd(conn), "");
      },
    );
    await t.step("a body that stops arriving (body timeout)", async () => {
      const conn = await tlsConn(s);
      await write(
        conn,
        "POST /api/v1/namespaces HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{",
      );
      assert.notEqual(await readToEnd(conn), "open");
    });
    await t.step(
      "a keep-alive connection after its response (idle timeout)",
      async () => {
        const conn = await tlsConn(s);
        await write(conn, "GET /version HTTP/1.1\r\nhost: x\r\n\r\n");
        const text = await readToEnd(conn);
        assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(text, /hello$/); // the whole response, then the close
      },
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("a request waiting for a slow response is not an idle connection", async () => {
  const slow: ApiHandler = async () => {
    await new Promise((r) => setTimeout(r, 1_000));
    return new Response("late");
  };
  const s = await serve(slow);
  try {
    const conn = await tlsConn(s);
    await write(conn, "GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
    const text = await readToEnd(conn);
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*late$/);
  } finally {
    await s.dispose();
  }
});

Deno.test("a quiet watch stream is not an idle connection", async () => {
  const quiet: ApiHandler = () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode("first\n"));
        timer = setTimeout(() => {
          c.enqueue(new TextEncoder().encode("second\n"));
          c.close();
        }, 1_000);
      },
      cancel: () => clearTimeout(timer),
    });
    return Promise.resolve(new Response(body));
  };
  const s = await serve(quiet);
  try {
    const conn = await tlsConn(s);
    await write(conn, "GET /watch HTTP/1.1\r\nhost: x\r\n\r\n");
    const text = await readToEnd(conn);
    assert.match(text, /first\n[\s\S]*second\n/);
  } finally {
    await s.dispose();
  }
});

Deno.test("plain HTTP on the TLS port gets Go's 400 answer and is closed", async () => {
  const s = await serve(hello);
  try {
    const conn = await tcp(s.server.port);
    await write(conn, "GET /version HTTP/1.1\r\nhost: x\r\n\r\n");
    assert.equal(
      await readToEnd(conn),
      "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("connections beyond the cap are closed at once; the server still answers", async () => {
  const s = await serve(hello, {
    timeouts: { handshakeMs: 0 },
    maxConnections: 4,
  });
  try {
    const held = await Promise.all([0, 1, 2, 3].map(() => tcp(s.server.port)));
    await new Promise((r) => setTimeout(r, 200)); // all four accepted
    const extra = await tcp(s.server.port);
    assert.equal(await readToEnd(extra), "");
    for (const c of held) c.close();
    let answered = "";
    for (let i = 0; i < 50 && !answered.includes("hello"); i++) {
      try {
        const conn = await tlsConn(s);
        await write(
          conn,
          "GET /v HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        );
        answered = await readToEnd(conn);
      } catch {
        // refused while the held ones are still being closed
      }
      if (!answered.includes("hello")) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.match(answered, /hello$/);
  } finally {
    await s.dispose();
  }
});
