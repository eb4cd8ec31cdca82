/**
 * Finds where HTTP/1.1 messages begin and end in a byte stream, without
 * buffering or changing it: the TLS front (`tls_front.ts`) relays bytes
 * blindly to the inner server, and needs to know only whether a connection
 * is between requests, reading a request's headers or body, or waiting for
 * a response — for its timeouts and for closing idle connections on
 * shutdown. Parsing proper (and rejecting malformed messages) is the inner
 * server's job; a message this framer cannot follow makes the connection
 * opaque (`mode: "opaque"`), never an error.
 *
 * @module
 */

/** What a framer reports as it reads. */
export interface FramingEvents {
  /** The first byte of a message (request line or status line) arrived. */
  onStart?(): void;
  /** A message's head is complete; `status` for responses, `method` for requests. */
  onHead?(head: { method?: string; status?: number; hasBody: boolean }): void;
  /** A message (head and body) is complete. */
  onEnd?(): void;
}

/** Where a framer stands. */
export type FramingMode = "idle" | "head" | "body" | "opaque";

/** Heads larger than this are not parsed; the connection becomes opaque. */
const MAX_HEAD = 64 * 1024;

const LATIN1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;

/**
 * An incremental HTTP/1.1 framer for one direction of one connection.
 * `requestMethods` (responses only) yields the method of the request each
 * response answers, which decides whether a body follows (HEAD).
 */
export class Http1Framer {
  mode: FramingMode = "idle";
  #kind: "request" | "response";
  #events: FramingEvents;
  #requestMethods: () => string | undefined;
  #headParts: Uint8Array[] = [];
  #headLength = 0;
  #body:
    | "fixed"
    | "chunk-size"
    | "chunk-data"
    | "chunk-crlf"
    | "trailer"
    | "close" = "fixed";
  #remaining = 0;
  #line: number[] = [];

  constructor(
    kind: "request" | "response",
    events: FramingEvents,
    requestMethods: () => string | undefined = () => undefined,
  ) {
    this.#kind = kind;
    this.#events = events;
    this.#requestMethods = requestMethods;
  }

  /** Reads one chunk. */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length && this.mode !== "opaque") {
      if (this.mode === "idle") {
        const b = chunk[i];
        if (b === CR || b === LF) { // stray line ends between messages
          i++;
          continue;
        }
        this.mode = "head";
        this.#headParts = [];
        this.#headLength = 0;
        this.#events.onStart?.();
      } else if (this.mode === "head") {
        i = this.#readHead(chunk, i);
      } else {
        i = this.#readBody(chunk, i);
      }
    }
  }

  #readHead(chunk: Uint8Array, i: number): number {
    // The head ends at LF LF or LF CR LF; look only at line ends.
    let from = i;
    while (true) {
      const lf = chunk.indexOf(LF, from);
      if (lf < 0) break;
      const b1 = lf - 1 >= i ? chunk[lf - 1] : this.#tail(1);
      const b2 = lf - 2 >= i ? chunk[lf - 2] : this.#tail(2 - (lf - i));
      if (b1 === LF || (b1 === CR && b2 === LF)) {
        this.#headParts.push(chunk.slice(i, lf + 1));
        this.#endHead();
        return lf + 1;
      }
      from = lf + 1;
    }
    this.#headParts.push(chunk.slice(i));
    this.#headLength += chunk.length - i;
    if (this.#headLength > MAX_HEAD) this.mode = "opaque";
    return chunk.length;
  }

  /** The `back`-th last byte of the head read so far (1 = the last). */
  #tail(back: number): number | undefined {
    for (let p = this.#headParts.length - 1; p >= 0; p--) {
      const part = this.#headParts[p];
      if (back <= part.length) return part[part.length - back];
      back -= part.length;
    }
    return undefined;
  }

  #endHead(): void {
    const text = this.#headParts.map((p) => LATIN1.decode(p)).join("");
    this.#headParts = [];
    this.#headLength = 0;
    const lines = text.split(/\r?\n/);
    const first = lines[0].split(" ");
    let length: number | undefined;
    let chunked = false;
    let upgrade = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim().toLowerCase();
      if (name === "content-length") length = Number(value);
      else if (name === "transfer-encoding") {
        chunked = value.endsWith("chunked");
      } else if (name === "upgrade") upgrade = true;
    }
    if (
      length !== undefined && !(Number.isSafeInteger(length) && length >= 0)
    ) {
      this.mode = "opaque";
      return;
    }
    if (this.#kind === "request") {
      const method = first[0].toUpperCase();
      if (method === "CONNECT" || upgrade) {
        this.#events.onHead?.({ method, hasBody: false });
        this.mode = "opaque"; // a tunnel or an upgrade: bytes are no longer HTTP/1.1
        return;
      }
      const hasBody = chunked || (length ?? 0) > 0;
      this.#events.onHead?.({ method, hasBody });
      this.#beginBody(hasBody, chunked, length ?? 0, false);
      return;
    }
    const status = Number(first[1]);
    if (status >= 100 && status < 200) {
      if (status === 101) {
        this.#events.onHead?.({ status, hasBody: false });
        this.mode = "opaque";
        return;
      }
      this.mode = "idle"; // an interim response: the final one follows
      return;
    }
    const method = this.#requestMethods();
    const bodiless = method === "HEAD" || status === 204 || status === 304;
    const hasBody = !bodiless && (chunked || length !== 0);
    this.#events.onHead?.({ status, hasBody });
    this.#beginBody(hasBody, chunked, length ?? 0, length === undefined);
  }

  #beginBody(
    hasBody: boolean,
    chunked: boolean,
    length: number,
    untilClose: boolean,
  ): void {
    if (!hasBody) {
      this.mode = "idle";
      this.#events.onEnd?.();
      return;
    }
    this.mode = "body";
    if (chunked) {
      this.#body = "chunk-size";
      this.#line = [];
    } else if (untilClose) {
      this.#body = "close";
    } else {
      this.#body = "fixed";
      this.#remaining = length;
    }
  }

  #readBody(chunk: Uint8Array, i: number): number {
    switch (this.#body) {
      case "close":
        return chunk.length;
      case "fixed":
      case "chunk-data": {
        const take = Math.min(this.#remaining, chunk.length - i);
        this.#remaining -= take;
        if (this.#remaining === 0) {
          if (this.#body === "fixed") this.#finish();
          else {
            this.#body = "chunk-crlf";
            this.#line = [];
          }
        }
        return i + take;
      }
      default:
        return this.#readChunkLines(chunk, i);
    }
  }

  /** Chunk-size lines, the CRLF after chunk data, and trailers. */
  #readChunkLines(chunk: Uint8Array, i: number): number {
    for (; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF) {
        if (this.#line.length > 4096) {
          this.mode = "opaque";
          return chunk.length;
        }
        this.#line.push(b);
        continue;
      }
      const line = LATIN1.decode(new Uint8Array(this.#line))
        .replace(/\r$/, "");
      this.#line = [];
      if (this.#body === "chunk-crlf") {
        this.#body = "chunk-size";
      } else if (this.#body === "chunk-size") {
        const size = parseInt(line.split(";")[0].trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0) {
          this.mode = "opaque";
          return chunk.length;
        }
        if (size === 0) this.#body = "trailer";
        else {
          this.#body = "chunk-data";
          this.#remaining = size;
          return i + 1;
        }
      } else if (line === "") { // the empty line after the trailers
        this.#finish();
        return i + 1;
      }
    }
    return i;
  }

  #finish(): void {
    this.mode = "idle";
    this.#events.onEnd?.();
  }
}
