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
const SP = 32;
const COLON = 58;

/** `buf[start, end)` as text, one character per byte. */
function latin1(buf: Uint8Array, start: number, end: number): string {
  return end - start < 64
    ? String.fromCharCode(...buf.subarray(start, end))
    : LATIN1.decode(buf.subarray(start, end));
}

/** Whitespace as `String.prototype.trim` sees it, for a byte. */
function isSpace(b: number): boolean {
  return (b >= 9 && b <= 13) || b === SP || b === 0xa0;
}

/** The bounds of `buf[start, end)` without leading and trailing whitespace. */
function trimmed(
  buf: Uint8Array,
  start: number,
  end: number,
): [number, number] {
  while (start < end && isSpace(buf[start])) start++;
  return [start, trimmedEnd(buf, start, end)];
}

/** `end` moved back over trailing whitespace (not before `start`). */
function trimmedEnd(buf: Uint8Array, start: number, end: number): number {
  while (end > start && isSpace(buf[end - 1])) end--;
  return end;
}

const FRAMING_HEADERS = ["content-length", "transfer-encoding", "upgrade"]
  .map((name) => ({ name, bytes: new TextEncoder().encode(name) }));

/** The framing header (lower-case) `buf[start, end)` names, if any. */
function framingHeader(
  buf: Uint8Array,
  start: number,
  end: number,
): string | undefined {
  next: for (const h of FRAMING_HEADERS) {
    if (h.bytes.length !== end - start) continue;
    for (let k = 0; k < h.bytes.length; k++) {
      const want = h.bytes[k];
      const b = buf[start + k];
      // ASCII case-insensitive ("-" has no upper case)
      if (b !== want && !(want >= 97 && want <= 122 && b === want - 32)) {
        continue next;
      }
    }
    return h.name;
  }
  return undefined;
}

/** The parts joined into one array. */
function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

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
        if (this.#headParts.length === 0) {
          this.#endHead(chunk, i, lf + 1); // the usual case: no copy
        } else {
          this.#headParts.push(chunk.subarray(i, lf + 1));
          const head = concat(this.#headParts);
          this.#endHead(head, 0, head.length);
        }
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

  /**
   * Reads the head in `buf[start, end)` byte by byte: only the start line and
   * the three headers that decide framing become strings (a profile of GETs
   * through the front had the decoded-text version at ~4 % of its CPU).
   */
  #endHead(buf: Uint8Array, start: number, end: number): void {
    this.#headParts = [];
    this.#headLength = 0;
    let lineEnd = buf.indexOf(LF, start);
    if (lineEnd < 0 || lineEnd > end) lineEnd = end;
    const startLine = trimmedEnd(buf, start, lineEnd);
    let length: number | undefined;
    let chunked = false;
    let upgrade = false;
    for (let from = lineEnd + 1; from < end;) {
      let next = buf.indexOf(LF, from);
      if (next < 0 || next > end) next = end;
      let colon = from;
      while (colon < next && buf[colon] !== COLON) colon++;
      if (colon < next) {
        const [ns, ne] = trimmed(buf, from, colon);
        const header = framingHeader(buf, ns, ne);
        if (header !== undefined) {
          const [vs, ve] = trimmed(buf, colon + 1, next);
          const value = latin1(buf, vs, ve).toLowerCase();
          if (header === "content-length") length = Number(value);
          else if (header === "transfer-encoding") {
            chunked = value.endsWith("chunked");
          } else upgrade = true;
        }
      }
      from = next + 1;
    }
    const sp = buf.indexOf(SP, start);
    const firstEnd = sp >= 0 && sp < startLine ? sp : startLine;
    if (
      length !== undefined && !(Number.isSafeInteger(length) && length >= 0)
    ) {
      this.mode = "opaque";
      return;
    }
    if (this.#kind === "request") {
      const method = latin1(buf, start, firstEnd).toUpperCase();
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
    let statusEnd = firstEnd + 1;
    while (statusEnd < startLine && buf[statusEnd] !== SP) statusEnd++;
    const status = firstEnd < startLine
      ? Number(latin1(buf, firstEnd + 1, statusEnd))
      : NaN;
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
