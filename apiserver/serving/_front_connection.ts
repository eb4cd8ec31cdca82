/**
 * One connection of the TLS front, after its handshake: relays bytes both
 * ways between the client's TLS socket and the inner server, follows the
 * messages (HTTP/1.1 framing or HTTP/2 frames) to know what the connection
 * is doing, enforces the request-header, body and keep-alive idle timeouts,
 * and on drain closes the connection as soon as no response is owed — never
 * while a request it relayed is unanswered.
 *
 * @module
 */

import type net from "node:net";
import type tls from "node:tls";
import { Http1Framer } from "./_http1_framing.ts";
import { H2, H2_PREFACE_LENGTH, H2Framer } from "./_h2_framing.ts";
import type { Deadlines, Expiring } from "./_deadlines.ts";

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

  constructor(
    outer: tls.TLSSocket,
    inner: net.Socket,
    timeouts: ConnectionTimeouts,
    onTimeout: (why: CloseReason) => void,
    deadlines: Deadlines,
  ) {
    this.#outer = outer;
    this.#inner = inner;
    this.#timeouts = timeouts;
    this.#onTimeout = onTimeout;
    this.#deadlines = deadlines;
    if (outer.alpnProtocol === "h2") this.#followH2();
    else this.#followH1();
    outer.on("data", (chunk: Uint8Array) => {
      this.#fromClient(chunk);
      if (!this.#closed && !inner.write(chunk)) outer.pause();
    });
    inner.on("drain", () => outer.resume());
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

  /** Ends the connection: flushes what was relayed, then closes both sides. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.#outer.pause(); // nothing more is read, so nothing more is relayed
    this.#outer.end(); // flushes what was relayed, then closes
    this.#inner.destroy(); // its close ends the relay (tls_front.ts)
  }

  /** Stops the timers (the sockets are going away). */
  dispose(): void {
    this.#closed = true;
    this.#disarm();
  }

  #followH1(): void {
    this.#requests = new Http1Framer("request", {
      onStart: () => this.#arm("header", this.#timeouts.headerMs),
      onHead: ({ method, hasBody }) => {
        this.#methods.push(method ?? "GET");
        this.#owed++;
        if (hasBody) this.#arm("body", this.#timeouts.bodyMs);
        else this.#disarm();
      },
      onEnd: () => this.#disarm(),
    });
    this.#responses = new Http1Framer("response", {
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
        this.#disarm();
      } else if (f.type === H2.RST_STREAM) {
        this.#endStream(f.streamId);
      }
    }, H2_PREFACE_LENGTH);
    this.#serverFrames = new H2Framer((f) => {
      if (f.streamId === 0) return;
      const ends = f.type === H2.RST_STREAM ||
        ((f.type === H2.HEADERS || f.type === H2.DATA) &&
          (f.flags & H2.END_STREAM) !== 0);
      if (ends) this.#endStream(f.streamId);
    });
    this.#arm("idle", this.#timeouts.idleMs);
  }

  #endStream(id: number): void {
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
