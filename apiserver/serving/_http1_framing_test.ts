import assert from "node:assert/strict";
import { Http1Framer } from "./_http1_framing.ts";

const enc = (s: string) => new TextEncoder().encode(s);

function record(kind: "request" | "response", methods: string[] = []) {
  const events: string[] = [];
  const f = new Http1Framer(kind, {
    onStart: () => events.push("start"),
    onHead: (h) => events.push(`head:${h.method ?? h.status}:${h.hasBody}`),
    onEnd: () => events.push("end"),
  }, () => methods[0]);
  return { f, events };
}

Deno.test("pipelined requests with fixed and chunked bodies are framed byte by byte", () => {
  const { f, events } = record("request");
  const text = "GET / HTTP/1.1\r\nhost: x\r\n\r\n" +
    "POST /a HTTP/1.1\r\ncontent-length: 3\r\n\r\nabc" +
    "PUT /b HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n" +
    "3\r\nxyz\r\n10;ext=1\r\n0123456789abcdef\r\n0\r\ntrailer: t\r\n\r\n";
  for (const b of enc(text)) f.push(new Uint8Array([b]));
  assert.deepEqual(events, [
    "start",
    "head:GET:false",
    "end",
    "start",
    "head:POST:true",
    "end",
    "start",
    "head:PUT:true",
    "end",
  ]);
  assert.equal(f.mode, "idle");
});

Deno.test("responses: interim 100, HEAD, 204 and 304 have no body; chunked ends at 0", () => {
  const methods = ["POST", "HEAD", "GET", "GET", "GET"];
  const { f, events } = record("response", methods);
  const shift = () => methods.shift();
  f.push(
    enc(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok",
    ),
  );
  shift();
  f.push(enc("HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n"));
  shift();
  f.push(enc("HTTP/1.1 204 No Content\r\n\r\n"));
  shift();
  f.push(
    enc("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n"),
  );
  assert.equal(f.mode, "body");
  f.push(enc("0\r\n\r\n"));
  assert.deepEqual(events, [
    "start",
    "start",
    "head:201:true",
    "end",
    "start",
    "head:200:false",
    "end",
    "start",
    "head:204:false",
    "end",
    "start",
    "head:200:true",
    "end",
  ]);
});

Deno.test("an upgrade or an unparseable length makes the stream opaque", () => {
  const a = record("request");
  a.f.push(enc("GET / HTTP/1.1\r\nupgrade: websocket\r\n\r\n"));
  assert.equal(a.f.mode, "opaque");
  const b = record("request");
  b.f.push(enc("POST / HTTP/1.1\r\ncontent-length: x\r\n\r\n"));
  assert.equal(b.f.mode, "opaque");
});

Deno.test("header names in any case and spacing; a head split anywhere frames the same", () => {
  const text = "get /a HTTP/1.1\r\nHost: x\r\nCONTENT-LENGTH :  2 \r\n\r\nok" +
    "POST /b HTTP/1.1\nTransfer-Encoding: gzip, Chunked\n\n2\r\nab\r\n0\r\n\r\n" +
    "GET /c HTTP/1.1\r\nx-content-length: 5\r\nno-colon-line\r\n\r\n";
  const want = [
    "start",
    "head:GET:true",
    "end",
    "start",
    "head:POST:true",
    "end",
    "start",
    "head:GET:false",
    "end",
  ];
  const bytes = enc(text);
  const whole = record("request");
  whole.f.push(bytes);
  assert.deepEqual(whole.events, want);
  for (let cut = 1; cut < bytes.length; cut += 7) {
    const split = record("request");
    split.f.push(bytes.slice(0, cut));
    split.f.push(bytes.slice(cut));
    assert.deepEqual(split.events, want, `cut at ${cut}`);
    assert.equal(split.f.mode, "idle");
  }
});

Deno.test("a status line without a reason, and a HEAD's response without a body", () => {
  const methods = ["HEAD", "GET"];
  const { f, events } = record("response", methods);
  f.push(enc("HTTP/1.1 200\r\nContent-Length: 12\r\n\r\n"));
  methods.shift();
  f.push(enc("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"));
  assert.deepEqual(events, [
    "start",
    "head:200:false",
    "end",
    "start",
    "head:101:false",
  ]);
  assert.equal(f.mode, "opaque");
});
