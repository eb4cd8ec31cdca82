import assert from "node:assert/strict";
import {
  startTesterServer,
  type TesterServer,
} from "../../tests/support/serving_fixture.ts";
import type { ApiHandler } from "../request_context.ts";
import { FrontAdmission } from "./_admission.ts";
import type { AdmissionOptions } from "./_admission.ts";

// --- the budget and its queue -------------------------------------------

function admission(opts: Partial<AdmissionOptions> = {}) {
  return new FrontAdmission({
    budget: 2,
    maxWaitMs: 60_000,
    leaseMs: 60_000,
    ...opts,
  });
}

Deno.test("admission: the budget admits, the rest wait and go on as slots free up", () => {
  const a = admission();
  const log: string[] = [];
  const t = [0, 1, 2].map((i) =>
    a.ticket(() => log.push(`${i}`), () => log.push(`timeout ${i}`))
  );
  assert.equal(t[0].request(), true);
  assert.equal(t[1].request(), true);
  assert.equal(t[2].request(), false);
  assert.deepEqual([a.inFlight, a.waiting], [2, 1]);
  t[0].release();
  assert.deepEqual(log, ["2"]);
  assert.deepEqual([a.inFlight, a.waiting], [2, 0]);
  t[1].release();
  t[2].release();
  t[2].release(); // idempotent
  assert.deepEqual([a.inFlight, a.waiting], [0, 0]);
});

Deno.test("admission: a fresh connection goes ahead of busier ones; a departed waiter leaves the queue", () => {
  const a = admission({ budget: 1 });
  const order: string[] = [];
  const named = (name: string) => a.ticket(() => order.push(name), () => {});
  const busy = named("busy");
  for (let i = 0; i < 5; i++) { // five recent requests
    assert.equal(busy.request(), true);
    busy.release();
  }
  const holder = named("holder");
  assert.equal(holder.request(), true);
  const gone = named("gone");
  assert.equal(busy.request(), false);
  assert.equal(gone.request(), false);
  const fresh = named("fresh");
  assert.equal(fresh.request(), false);
  gone.release(); // its connection closed while it waited
  assert.equal(a.waiting, 2);
  holder.release();
  fresh.release();
  assert.deepEqual(order, ["fresh", "busy"]);
  busy.release();
});

Deno.test("admission: a wait is bounded, and so is a lease while others wait; open() lets everyone through", async () => {
  const a = admission({ budget: 1, maxWaitMs: 50, leaseMs: 60_000 });
  const first = a.ticket(() => {}, () => {});
  assert.equal(first.request(), true);
  const timedOut = Promise.withResolvers<void>();
  const second = a.ticket(() => {}, () => timedOut.resolve());
  assert.equal(second.request(), false);
  await timedOut.promise;
  assert.equal(a.waiting, 0);
  assert.equal(second.state, "idle");
  first.release();

  const b = admission({ budget: 1, maxWaitMs: 60_000, leaseMs: 50 });
  const holder = b.ticket(() => {}, () => {});
  assert.equal(holder.request(), true); // and never releases
  const admitted = Promise.withResolvers<void>();
  const waiter = b.ticket(() => admitted.resolve(), () => {});
  assert.equal(waiter.request(), false);
  await admitted.promise; // the holder's lease ran out
  assert.equal(holder.state, "idle");
  assert.equal(waiter.state, "leased");

  const names: string[] = [];
  const third = b.ticket(() => names.push("third"), () => {});
  assert.equal(third.request(), false);
  b.open();
  assert.deepEqual(names, ["third"]);
  const fourth = b.ticket(() => {}, () => {});
  assert.equal(fourth.request(), true);
  for (const t of [waiter, third, fourth]) t.release();
  assert.equal(b.inFlight, 0);
  assert.equal(b.waiting, 0);
});

// --- over the wire --------------------------------------------------------

type Served = TesterServer;

function serve(
  handler: ApiHandler,
  frontAdmission: Partial<AdmissionOptions>,
): Promise<Served> {
  return startTesterServer(handler, { frontAdmission, shutdownGraceMs: 2_000 });
}

/** A raw HTTP/1.1 keep-alive connection. */
class H1 {
  #conn: Deno.TlsConn;
  #buf = new Uint8Array(0);
  constructor(conn: Deno.TlsConn) {
    this.#conn = conn;
  }
  static async open(s: Served): Promise<H1> {
    return new H1(
      await Deno.connectTls({
        hostname: "127.0.0.1",
        port: s.server.port,
        caCerts: [s.caCert],
        alpnProtocols: ["http/1.1"],
      }),
    );
  }
  async get(path: string, name: string): Promise<void> {
    await this.#conn.write(
      new TextEncoder().encode(
        `GET ${path} HTTP/1.1\r\nHost: x\r\nx-conn: ${name}\r\n\r\n`,
      ),
    );
  }
  /** One response with a Content-Length body (headers lower-cased). */
  async response(): Promise<
    { status: number; headers: Map<string, string>; body: string }
  > {
    const dec = new TextDecoder();
    while (true) {
      const text = dec.decode(this.#buf);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        const [line, ...rest] = text.slice(0, end).split("\r\n");
        const headers = new Map(
          rest.map((l) => {
            const i = l.indexOf(":");
            return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
          }),
        );
        const length = Number(headers.get("content-length") ?? 0);
        const head = new TextEncoder().encode(text.slice(0, end + 4)).length;
        if (this.#buf.length >= head + length) {
          const body = dec.decode(this.#buf.subarray(head, head + length));
          this.#buf = this.#buf.slice(head + length);
          return { status: Number(line.split(" ")[1]), headers, body };
        }
      }
      const chunk = new Uint8Array(16 * 1024);
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error("connection closed");
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }
  /** The status of a response whose head has arrived (the body is left). */
  async head(): Promise<number> {
    const chunk = new Uint8Array(16 * 1024);
    let text = "";
    while (!text.includes("\r\n\r\n")) {
      const n = await this.#conn.read(chunk);
      if (n === null) throw new Error("connection closed");
      text += new TextDecoder().decode(chunk.subarray(0, n));
    }
    return Number(text.split(" ")[1]);
  }
  close() {
    try {
      this.#conn.close();
    } catch {
      // closed already
    }
  }
}

/** A handler that holds `/hold` requests until `open()`, and records the order of arrival. */
function gate() {
  let opened = Promise.withResolvers<void>();
  const arrived: string[] = [];
  const handler: ApiHandler = async (req) => {
    arrived.push(req.headers.get("x-conn") ?? "?");
    const path = new URL(req.url).pathname;
    if (path === "/hold") await opened.promise;
    if (path === "/watch") {
      // A long-running response: the head now, the body never ends.
      return new Response(new ReadableStream({ start() {} }));
    }
    return new Response("ok", { headers: { "content-length": "2" } });
  };
  return {
    handler,
    arrived,
    open() {
      opened.resolve();
      opened = Promise.withResolvers<void>();
    },
  };
}

Deno.test("front: a request that waits too long for the budget gets 429 with Retry-After, and the connection stays usable", async () => {
  const g = gate();
  await using s = await serve(g.handler, {
    budget: 1,
    maxWaitMs: 200,
    leaseMs: 30_000,
  });
  const busy = await H1.open(s);
  const late = await H1.open(s);
  try {
    await busy.get("/hold", "busy");
    while (g.arrived.length === 0) await new Promise((r) => setTimeout(r, 10));
    await late.get("/x", "late");
    const refused = await late.response();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "1");
    assert.equal(refused.headers.get("connection"), undefined);
    const status = JSON.parse(refused.body);
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "TooManyRequests");
    assert.equal(status.code, 429);
    assert.deepEqual(g.arrived, ["busy"]); // never reached the server
    g.open();
    assert.equal((await busy.response()).status, 200);
    await late.get("/x", "late");
    assert.equal((await late.response()).status, 200);
    assert.deepEqual(g.arrived, ["busy", "late"]);
  } finally {
    busy.close();
    late.close();
  }
});

Deno.test("front: paused flood connections wait; a fresh connection goes first once a slot frees", async () => {
  const g = gate();
  await using s = await serve(g.handler, {
    budget: 1,
    maxWaitMs: 30_000,
    leaseMs: 30_000,
  });
  const flood = await Promise.all(
    Array.from({ length: 20 }, () => H1.open(s)),
  );
  const fresh = await H1.open(s);
  try {
    // Each flood connection has a few recent requests behind it.
    for (let round = 0; round < 3; round++) {
      for (const [i, c] of flood.entries()) {
        await c.get("/x", `flood-${i}`);
        assert.equal((await c.response()).status, 200);
      }
    }
    g.arrived.length = 0;
    await flood[0].get("/hold", "holder");
    while (g.arrived.length === 0) await new Promise((r) => setTimeout(r, 10));
    for (const [i, c] of flood.slice(1).entries()) await c.get("/x", `q-${i}`);
    await new Promise((r) => setTimeout(r, 100)); // all queued, paused
    await fresh.get("/x", "fresh");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(g.arrived, ["holder"]); // the rest is held in the front
    g.open();
    assert.equal((await fresh.response()).status, 200);
    assert.equal(g.arrived[1], "fresh");
    for (const c of flood) assert.equal((await c.response()).status, 200);
    assert.equal(g.arrived.length, 21);
  } finally {
    for (const c of [...flood, fresh]) c.close();
  }
});

Deno.test("front: a watch holds no slot while it streams", async () => {
  const g = gate();
  await using s = await serve(g.handler, {
    budget: 1,
    maxWaitMs: 300,
    leaseMs: 30_000,
  });
  const watch = await H1.open(s);
  const other = await H1.open(s);
  try {
    await watch.get("/watch", "watch");
    assert.equal(await watch.head(), 200); // its body never ends
    for (let i = 0; i < 3; i++) {
      await other.get("/x", "other");
      assert.equal((await other.response()).status, 200);
    }
  } finally {
    watch.close();
    other.close();
  }
});

Deno.test("front: HTTP/2 streams beyond the budget wait, then go on (never refused by the front)", async () => {
  const g = gate();
  await using s = await serve(g.handler, {
    budget: 1,
    maxWaitMs: 200,
    leaseMs: 30_000,
  });
  const client = (): Deno.HttpClient =>
    Deno.createHttpClient({ caCerts: [s.caCert], http2: true, http1: false });
  const a = client();
  const b = client();
  try {
    const url = `https://127.0.0.1:${s.server.port}`;
    const held = fetch(`${url}/hold`, {
      client: a,
      headers: { "x-conn": "a" },
    });
    while (g.arrived.length === 0) await new Promise((r) => setTimeout(r, 10));
    const res = await fetch(`${url}/x`, {
      client: b,
      headers: { "x-conn": "b" },
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok");
    g.open();
    const first = await held;
    assert.equal(first.status, 200);
    await first.body?.cancel();
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("front: on shutdown a waiting request goes on and gets the draining server's 503, never a silent close", async () => {
  const g = gate();
  await using s = await serve(g.handler, {
    budget: 1,
    maxWaitMs: 30_000,
    leaseMs: 30_000,
  });
  const busy = await H1.open(s);
  const waiting = await H1.open(s);
  try {
    await busy.get("/hold", "busy");
    while (g.arrived.length === 0) await new Promise((r) => setTimeout(r, 10));
    await waiting.get("/x", "waiting");
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(g.arrived, ["busy"]); // held in the front
    const closed = s.server.close();
    const answer = await waiting.response();
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get("retry-after"), "1");
    g.open();
    assert.equal((await busy.response()).status, 200);
    await closed;
  } finally {
    busy.close();
    waiting.close();
  }
});
