/**
 * One connection of the TLS front, after its handshake: relays bytes both
 * ways between the client's TLS socket and the inner server, follows the
 * messages (HTTP/1.1 framing or HTTP/2 frames) to know what the connection
 * is doing, enforces the request-header, body and keep-alive idle timeouts,
 * and on drain closes the connection as soon as no response is owed — never
 * while a request it relayed is unanswered.
 *
 * With an admission ticket (`_admission.ts`), a request that finds the
 * front's budget spent is held back: its bytes are kept, the socket is
 * paused, and the connection waits in the fair queue. Admitted, the bytes
 * go on; refused after the longest wait, an HTTP/1.1 request is answered
 * 429 with `Retry-After` by the front itself (kept alive when the held
 * bytes are exactly one request without a body, else closed). HTTP/2
 * streams are never refused here: the held HEADERS carry HPACK state the
 * inner server must see, so a stream that waited too long goes on anyway
 * and meets the server's own flow control.
 *
 * @module
 */

import type net from "node:net";
import type tls from "node:tls";
import { Http1Framer } from "./_http1_framing.ts";
import { H2, H2_PREFACE_LENGTH, H2Framer } from "./_h2_framing.ts";
import type { Deadlines, Expiring } from "./_deadlines.ts";
import type { AdmissionTicket, FrontAdmission } from "./_admission.ts";

const ENCODER = new TextEncoder();
/** What the front answers a request it could not admit in time. */
const TOO_MANY = JSON.stringify({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "Too many requests, please try again later.",
  reason: "TooManyRequests",
  details: { retryAfterSeconds: 1 },
  code: 429,
}) + "\n";

/** The raw HTTP/1.1 429 response of the front. */
export function tooManyRequestsResponse(close: boolean): Uint8Array {
  return ENCODER.encode(
    "HTTP/1.1 429 Too Many Requests\r\n" +
      "Content-Type: application/json\r\n" +
      "Cache-Control: no-cache, private\r\n" +
      "Retry-After: 1\r\n" +
      `Content-Length: ${ENCODER.encode(TOO_MANY).length}\r\n` +
      (close ? "Connection: close\r\n" : "") +
      "\r\n" + TOO_MANY,
  );
}

/** The timeouts of a front connection, in milliseconds. */
export interface ConnectionTimeouts {
  /** From the handshake (or the end of the last response) until a request's headers are complete. */
  headerMs: number;
  /** Longest pause while a request body is being read. */
  bodyMs: number;
  /** How long a connection with no request and no response in progress stays open. */
  idleMs: number;
}

/** Why a connection was closed by the front. */
export type CloseReason = "header" | "body" | "idle" | "drain";

/** A relayed connection. */
export class FrontConnection implements Expiring {
  readonly #outer: tls.TLSSocket;
  readonly #inner: net.Socket;
  readonly #timeouts: ConnectionTimeouts;
  readonly #onTimeout: (why: CloseReason) => void;
  readonly #deadlines: Deadlines;
  #armed: CloseReason | undefined; // the timeout whose deadline is set
  #draining = false;
  #closed = false;
  // HTTP/1.1
  #requests?: Http1Framer;
  #responses?: Http1Framer;
  #methods: string[] = [];
  #owed = 0; // requests whose response has not ended
  // HTTP/2
  #clientFrames?: H2Framer;
  #serverFrames?: H2Framer;
  #streams = new Set<number>();
  #awaitingHead = new Set<number>(); // streams without a response head yet
  #newStreams = 0; // streams opened by the chunk being read
  // Admission
  readonly #ticket: AdmissionTicket | undefined;
  #held: Uint8Array[] | undefined; // bytes waiting for admission
  #awaitingHeads = 0; // HTTP/1.1 requests without a response head yet

  constructor(
    outer: tls.TLSSocket,
    inner: net.Socket,
    timeouts: ConnectionTimeouts,
    onTimeout: (why: CloseReason) => void,
    deadlines: Deadlines,
    admission?: FrontAdmission,
  ) {
    this.#outer = outer;
    this.#inner = inner;
    this.#timeouts = timeouts;
    this.#onTimeout = onTimeout;
    this.#deadlines = deadlines;
    this.#ticket = admission?.enabled
      ? admission.ticket(
        () => this.#admitted(),
        () => this.#requests ? this.#refuse() : this.#forceH2(),
      )
      : undefined;
    if (outer.alpnProtocol === "h2") this.#followH2();
    else this.#followH1();
    outer.on("data", (chunk: Uint8Array) => this.#onClientData(chunk));
    inner.on("drain", () => {
      if (!this.#held) outer.resume();
    });
    inner.on("data", (chunk: Uint8Array) => {
      if (!outer.write(chunk)) inner.pause();
      this.#fromServer(chunk);
    });
    outer.on("drain", () => inner.resume());
    inner.on("end", () => outer.end());
    outer.on("end", () => inner.end());
  }

  /** True when no request is in progress and no response is owed. */
  get idle(): boolean {
    if (this.#requests) {
      return this.#owed === 0 && this.#requests.mode === "idle" &&
        this.#responses!.mode === "idle";
    }
    return this.#streams.size === 0;
  }

  /**
   * Shutdown began: the connection closes now if it is idle, else once the
   * last owed response has been relayed. HTTP/2 gets no GOAWAY from the
   * relay: any GOAWAY (whatever its last stream id) made Deno's nghttp2
   * client abort the process (assertion in `find_stream_on_goaway_func`)
   * when the connection then ended — @kubernetes/client-node on Deno hit
   * it on every server restart. Streams opened while draining are answered
   * 503 with `Retry-After` by the server instead.
   */
  drain(): void {
    if (this.#draining || this.#closed) return;
    this.#draining = true;
    this.#closeIfIdle();
  }

  /** True while a request waits for admission. */
  get waiting(): boolean {
    return this.#held !== undefined;
  }

  /** Ends the connection: flushes what was relayed, then closes both sides. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.#held = undefined;
    this.#ticket?.release();
    this.#outer.pause(); // nothing more is read, so nothing more is relayed
    this.#outer.end(); // flushes what was relayed, then closes
    this.#inner.destroy(); // its close ends the relay (tls_front.ts)
  }

  /** Stops the timers (the sockets are going away). */
  dispose(): void {
    this.#closed = true;
    this.#disarm();
    this.#held = undefined;
    this.#ticket?.release();
  }

  #onClientData(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (this.#held) {
      if (!this.#requests) this.#fromClient(chunk); // HTTP/2: framed now
      this.#held.push(chunk);
      return;
    }
    const t = this.#ticket;
    if (!t || t.admitted) return this.#relay(chunk);
    if (this.#requests) {
      // HTTP/1.1: a chunk that begins a request needs a slot; it is held
      // before the framer sees it, so that it can still be refused.
      if (this.#requests.mode !== "idle") return this.#relay(chunk);
      if (t.request()) {
        return this.#relay(chunk);
      }
      this.#hold(chunk);
      return;
    }
    // HTTP/2: framed first (the stream state must follow every byte).
    this.#newStreams = 0;
    this.#fromClient(chunk);
    if (this.#newStreams === 0 || this.#awaitingHead.size === 0) {
      return this.#write(chunk);
    }
    if (t.request()) {
      return this.#write(chunk);
    }
    this.#hold(chunk);
  }

  #hold(chunk: Uint8Array): void {
    this.#held = [chunk];
    this.#outer.pause(); // the rest stays in the kernel's buffers
  }

  #relay(chunk: Uint8Array): void {
    this.#fromClient(chunk);
    this.#write(chunk);
  }

  #write(chunk: Uint8Array): void {
    if (!this.#closed && !this.#inner.write(chunk)) this.#outer.pause();
  }

  /** The held bytes may go on. */
  #admitted(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    if (this.#closed) return this.#ticket?.release();
    for (const chunk of held) {
      if (this.#requests) this.#relay(chunk);
      else this.#write(chunk); // HTTP/2: framed when it arrived
    }
    if (!this.#inner.writableNeedDrain) this.#outer.resume();
    this.#maybeRelease();
  }

  #forceH2(): void {
    this.#ticket?.force();
    this.#admitted();
  }

  /** Waited too long (HTTP/1.1): the front answers 429 itself. */
  #refuse(): void {
    const held = this.#held ?? [];
    if (this.#closed) return;
    if (this.#owed > 0 || this.#responses!.mode !== "idle") {
      // A response is still being relayed: nothing may be written in
      // between, so this one goes on (rare: pipelining).
      this.#ticket?.force();
      return this.#admitted();
    }
    this.#held = undefined;
    const single = isSingleBodilessRequest(held);
    this.#outer.write(tooManyRequestsResponse(!single));
    if (!single) return this.close();
    // Keep-alive: the next request starts from scratch.
    this.#arm("idle", this.#timeouts.idleMs);
    if (!this.#inner.writableNeedDrain) this.#outer.resume();
  }

  /** Gives the slot back once every request relayed has its response head. */
  #maybeRelease(): void {
    const t = this.#ticket;
    if (!t || t.state === "idle" || this.#held) return;
    if (this.#requests) {
      const m = this.#requests.mode;
      if (this.#awaitingHeads > 0 || m === "head" || m === "body") return;
    } else if (this.#awaitingHead.size > 0) return;
    t.release();
  }

  #followH1(): void {
    this.#requests = new Http1Framer("request", {
      onStart: () => this.#arm("header", this.#timeouts.headerMs),
      onHead: ({ method, hasBody }) => {
        this.#methods.push(method ?? "GET");
        this.#owed++;
        this.#awaitingHeads++;
        if (hasBody) this.#arm("body", this.#timeouts.bodyMs);
        else this.#disarm();
      },
      onEnd: () => {
        this.#disarm();
        this.#maybeRelease();
      },
    });
    this.#responses = new Http1Framer("response", {
      onHead: () => {
        this.#awaitingHeads = Math.max(0, this.#awaitingHeads - 1);
        this.#maybeRelease();
      },
      onEnd: () => {
        this.#methods.shift();
        this.#owed = Math.max(0, this.#owed - 1);
        this.#afterResponse();
      },
    }, () => this.#methods[0]);
    this.#arm("header", this.#timeouts.headerMs);
  }

  #followH2(): void {
    this.#clientFrames = new H2Framer((f) => {
      if (f.streamId === 0) return;
      if (f.type === H2.HEADERS && !this.#streams.has(f.streamId)) {
        this.#streams.add(f.streamId);
        this.#awaitingHead.add(f.streamId);
        this.#newStreams++;
        this.#disarm();
      } else if (f.type === H2.RST_STREAM) {
        this.#endStream(f.streamId);
      }
    }, H2_PREFACE_LENGTH);
    this.#serverFrames = new H2Framer((f) => {
      if (f.streamId === 0) return;
      if (
        (f.type === H2.HEADERS || f.type === H2.RST_STREAM) &&
        this.#awaitingHead.delete(f.streamId)
      ) this.#maybeRelease();
      const ends = f.type === H2.RST_STREAM ||
        ((f.type === H2.HEADERS || f.type === H2.DATA) &&
          (f.flags & H2.END_STREAM) !== 0);
      if (ends) this.#endStream(f.streamId);
    });
    this.#arm("idle", this.#timeouts.idleMs);
  }

  #endStream(id: number): void {
    if (this.#awaitingHead.delete(id)) this.#maybeRelease();
    if (!this.#streams.delete(id)) return;
    if (this.#streams.size === 0) this.#afterResponse();
  }

  #fromClient(chunk: Uint8Array): void {
    if (this.#requests) {
      const wasBody = this.#requests.mode === "body";
      this.#requests.push(chunk);
      // Progress on a body restarts its clock.
      if (wasBody && this.#requests.mode === "body") {
        this.#arm("body", this.#timeouts.bodyMs);
      }
      if (this.#requests.mode === "opaque") this.#disarm();
    } else {
      this.#clientFrames!.push(chunk);
    }
  }

  #fromServer(chunk: Uint8Array): void {
    if (this.#responses) {
      this.#responses.push(chunk);
      if (this.#responses.mode === "opaque") this.#disarm();
    } else {
      this.#serverFrames!.push(chunk);
    }
  }

  #afterResponse(): void {
    if (!this.idle) return;
    if (this.#closeIfIdle()) return;
    this.#arm("idle", this.#timeouts.idleMs);
  }

  #closeIfIdle(): boolean {
    if (!this.#draining || !this.idle) return false;
    this.close();
    return true;
  }

  /** Its timeout ran out (called by {@linkcode Deadlines}). */
  expire(): void {
    const why = this.#armed;
    this.#armed = undefined;
    if (why === undefined || this.#closed) return;
    this.#onTimeout(why);
    this.close();
  }

  #arm(why: CloseReason, ms: number): void {
    if (this.#closed || !(ms > 0) || !Number.isFinite(ms)) {
      this.#disarm();
      return;
    }
    this.#armed = why;
    this.#deadlines.set(this, ms);
  }

  #disarm(): void {
    if (this.#armed === undefined) return;
    this.#armed = undefined;
    this.#deadlines.clear(this);
  }
}

/** True when `chunks` hold exactly one complete HTTP/1.1 request without a body. */
function isSingleBodilessRequest(chunks: Uint8Array[]): boolean {
  let heads = 0;
  let ends = 0;
  let body = false;
  const framer = new Http1Framer("request", {
    onHead: ({ hasBody }) => {
      heads++;
      body ||= hasBody;
    },
    onEnd: () => ends++,
  });
  for (const c of chunks) framer.push(c);
  return heads === 1 && ends === 1 && !body && framer.mode === "idle";
}
