import assert from "node:assert/strict";
import {
  startTesterServer,
  type TesterServer,
} from "../../tests/support/serving_fixture.ts";
import type { ApiHandler } from "../request_context.ts";
import {
  drawsNoAnswer,
  H2,
  H2_ACK_NUDGE,
  type H2FrameHeader,
  H2Framer,
} from "./_h2_framing.ts";

const PREFACE = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

function frame(
  type: number,
  flags: number,
  streamId: number,
  payload: Uint8Array = new Uint8Array(),
): Uint8Array {
  const out = new Uint8Array(9 + payload.length);
  out[0] = payload.length >> 16;
  out[1] = (payload.length >> 8) & 0xff;
  out[2] = payload.length & 0xff;
  out[3] = type;
  out[4] = flags;
  new DataView(out.buffer).setUint32(5, streamId);
  out.set(payload, 9);
  return out;
}

function windowUpdate(streamId: number, increment: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, increment);
  return frame(H2.WINDOW_UPDATE, 0, streamId, payload);
}

/** Reads whole frames (headers only) off a raw HTTP/2 connection. */
class FrameReader {
  #frames: H2FrameHeader[] = [];
  #framer = new H2Framer((f) => this.#frames.push(f));
  #buf = new Uint8Array(64 * 1024);

  constructor(readonly conn: Deno.TlsConn) {}

  /** The next frame from the server (reads until one is complete). */
  async next(): Promise<H2FrameHeader> {
    while (this.#frames.length === 0 || !this.#framer.atFrameBoundary) {
      const n = await this.conn.read(this.#buf);
      if (n === null) throw new Error("connection closed");
      this.#framer.push(this.#buf.subarray(0, n));
    }
    return this.#frames.shift()!;
  }

  /** Frames until one of `type` (with `flags` set) arrives; returns all read. */
  async until(type: number, flags = 0): Promise<H2FrameHeader[]> {
    const seen: H2FrameHeader[] = [];
    for (;;) {
      const f = await this.next();
      seen.push(f);
      if (f.type === type && (f.flags & flags) === flags) return seen;
    }
  }
}

async function write(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

/** A raw HTTP/2 connection past the SETTINGS exchange. */
async function openH2(
  s: TesterServer,
): Promise<{ conn: Deno.TlsConn; frames: FrameReader }> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port: s.server.port,
    caCerts: [s.caCert],
    alpnProtocols: ["h2"],
  });
  const hs = await conn.handshake();
  assert.equal(hs.alpnProtocol, "h2");
  const frames = new FrameReader(conn);
  await write(conn, new Uint8Array([...PREFACE, ...frame(H2.SETTINGS, 0, 0)]));
  // The server's SETTINGS, then its ACK of ours (maybe a WINDOW_UPDATE too).
  await frames.until(H2.SETTINGS, H2.ACK);
  return { conn, frames };
}

const hello: ApiHandler = () => Promise.resolve(new Response("hello"));

Deno.test("the frame helpers: boundaries and frames that draw no answer", () => {
  const seen: H2FrameHeader[] = [];
  const framer = new H2Framer((f) => seen.push(f));
  assert.equal(framer.atFrameBoundary, true);
  const wu = windowUpdate(0, 1000);
  framer.push(wu.subarray(0, 5));
  assert.equal(framer.atFrameBoundary, false); // half a header
  framer.push(wu.subarray(5, 11));
  assert.equal(framer.atFrameBoundary, false); // payload still owed
  framer.push(wu.subarray(11));
  assert.equal(framer.atFrameBoundary, true);
  framer.push(H2_ACK_NUDGE);
  assert.deepEqual(seen.map((f) => [f.type, f.length, f.streamId]), [
    [H2.WINDOW_UPDATE, 4, 0],
    [0xf0, 0, 0],
  ]);
  const header = (type: number, flags = 0) => ({
    type,
    flags,
    streamId: 0,
    length: 0,
  });
  for (const t of [H2.WINDOW_UPDATE, H2.PRIORITY, H2.RST_STREAM]) {
    assert.equal(drawsNoAnswer(header(t)), true, `type ${t}`);
  }
  assert.equal(drawsNoAnswer(header(H2.SETTINGS, H2.ACK)), true);
  assert.equal(drawsNoAnswer(header(H2.PING, H2.ACK)), true);
  assert.equal(drawsNoAnswer(header(H2.SETTINGS)), false);
  assert.equal(drawsNoAnswer(header(H2.PING)), false);
  assert.equal(drawsNoAnswer(header(H2.HEADERS, H2.END_HEADERS)), false);
  assert.equal(drawsNoAnswer(header(H2.DATA)), false);
});

Deno.test("a client's WINDOW_UPDATE is answered by the front's ignorable frame; a PING is not", async () => {
  const s = await startTesterServer(hello);
  try {
    const { conn, frames } = await openH2(s);
    // Without the nudge a read would wait for ever: the test fails instead.
    const guard = setTimeout(() => conn.close(), 10_000);
    try {
      // Frames the server sends on its own (its WINDOW_UPDATE after the
      // SETTINGS) may come first.
      const other = (fs: H2FrameHeader[]) =>
        fs.slice(0, -1).filter((f) =>
          f.type !== H2.WINDOW_UPDATE && f.type !== H2.SETTINGS
        );
      await write(conn, windowUpdate(0, 1 << 20));
      let seen = await frames.until(0xf0);
      assert.deepEqual(other(seen), []);
      const nudge = seen.at(-1)!;
      assert.deepEqual([nudge.flags, nudge.streamId, nudge.length], [0, 0, 0]);
      // A PING draws the inner server's PING ACK; the front adds nothing
      // (it would be written before the server's answer).
      await write(conn, frame(H2.PING, 0, 0, new Uint8Array(8)));
      seen = await frames.until(H2.PING, H2.ACK);
      assert.deepEqual(other(seen), []);
      // The connection goes on: another nudge, another PING answered.
      await write(conn, windowUpdate(0, 1));
      assert.deepEqual(other(await frames.until(0xf0)), []);
      await write(conn, frame(H2.PING, 0, 0, new Uint8Array(8)));
      assert.deepEqual(other(await frames.until(H2.PING, H2.ACK)), []);
    } finally {
      clearTimeout(guard);
      try {
        conn.close();
      } catch {
        // closed by the guard
      }
    }
  } finally {
    await s.dispose();
  }
});

Deno.test("HTTP/2 clients read big responses intact across the front's nudges", async () => {
  // ~400 KB bodies: the client's connection window (a few MiB) needs
  // WINDOW_UPDATEs every few responses, each answered by a nudge.
  const body = "x".repeat(400 * 1024);
  const s = await startTesterServer(() =>
    Promise.resolve(new Response(body, { headers: { "x-n": "1" } }))
  );
  const client = Deno.createHttpClient({ caCerts: [s.caCert], http2: true });
  try {
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`https://127.0.0.1:${s.server.port}/big`, {
        client,
      });
      assert.equal(res.status, 200);
      assert.equal(await res.text(), body);
    }
  } finally {
    client.close();
    await s.dispose();
  }
});
