/**
 * A tiny HTTP/1.1-over-TLS client that sends the request target exactly as
 * written. `fetch` and `new Request` parse the URL and resolve dot segments
 * (`/a/../b` → `/b`), so they cannot send the requests the data-safety tests
 * need; this client writes the request line byte for byte.
 *
 * One {@linkcode RawHttpClient} keeps one keep-alive connection and opens a
 * new one whenever the server closes it. Every request is bounded by a
 * timeout: when it fires the connection is closed and the request fails.
 *
 * @example
 * ```ts
 * await using client = new RawHttpClient({ port, caCert, token });
 * const res = await client.request("GET", "/api/v1/namespaces/a/configmaps/..");
 * res.status; // 400
 * ```
 *
 * @module
 */

/** A response read off the wire. */
export interface RawResponse {
  status: number;
  statusText: string;
  /** Header names are lower-cased. */
  headers: Headers;
  /** The body (de-chunked); empty when only the head was read. */
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
  /** The body parsed as JSON (throws when it is not JSON). */
  json(): unknown;
}

/** Options of one raw request. */
export interface RawRequestOptions {
  /** Extra headers; `Host`, `Authorization` and `Content-Length` are added. */
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Read the status line and headers only, then close (for watches). */
  headOnly?: boolean;
  /** Abort (close the connection) after this many ms. Default 5000. */
  timeoutMs?: number;
  /** Send no `Authorization` header. */
  anonymous?: boolean;
}

/** Where and as whom to connect. */
export interface RawHttpOptions {
  port: number;
  caCert?: string;
  /** A bearer token sent with every request (unless `anonymous`). */
  token?: string;
  hostname?: string;
}

const CRLF = new Uint8Array([13, 10]);
const enc = new TextEncoder();
const dec = new TextDecoder();

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (hay[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A buffered reader over one connection. */
class Wire {
  #conn: Deno.TlsConn;
  #buf: Uint8Array = new Uint8Array(0);
  #chunk = new Uint8Array(64 * 1024);
  /** Bytes read off this connection so far. */
  received = 0;

  constructor(conn: Deno.TlsConn) {
    this.#conn = conn;
  }

  async #fill(): Promise<boolean> {
    const n = await this.#conn.read(this.#chunk);
    if (n === null) return false;
    this.received += n;
    this.#buf = concat(this.#buf, this.#chunk.subarray(0, n));
    return true;
  }

  async line(): Promise<string> {
    for (;;) {
      const i = indexOf(this.#buf, CRLF);
      if (i >= 0) {
        const out = dec.decode(this.#buf.subarray(0, i));
        this.#buf = this.#buf.slice(i + 2);
        return out;
      }
      if (!await this.#fill()) throw new Error("connection closed mid-line");
    }
  }

  async exactly(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n) {
      if (!await this.#fill()) throw new Error("connection closed mid-body");
    }
    const out = this.#buf.slice(0, n);
    this.#buf = this.#buf.slice(n);
    return out;
  }

  async rest(): Promise<Uint8Array> {
    while (await this.#fill()) { /* until EOF */ }
    const out = this.#buf;
    this.#buf = new Uint8Array(0);
    return out;
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(bytes.subarray(off));
    }
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** The connection broke before any byte of the response arrived. */
class StaleConnection extends Error {
  constructor(cause: unknown) {
    super(
      `connection closed before the response: ${
        cause instanceof Error ? cause.message : cause
      }`,
      { cause },
    );
  }
}

/** One keep-alive connection to the server, re-opened as needed. */
export class RawHttpClient {
  #opts: RawHttpOptions;
  #wire: Wire | undefined;

  constructor(opts: RawHttpOptions) {
    this.#opts = opts;
  }

  async #connect(): Promise<Wire> {
    if (this.#wire) return this.#wire;
    const conn = await Deno.connectTls({
      hostname: this.#opts.hostname ?? "127.0.0.1",
      port: this.#opts.port,
      caCerts: this.#opts.caCert ? [this.#opts.caCert] : undefined,
    });
    this.#wire = new Wire(conn);
    return this.#wire;
  }

  /** Closes the current connection (the next request opens a new one). */
  close(): void {
    this.#wire?.close();
    this.#wire = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Sends `method target` as written and reads the response. Throws when
   * the connection fails or the timeout fires (the connection is closed).
   */
  async request(
    method: string,
    target: string,
    opts: RawRequestOptions = {},
  ): Promise<RawResponse> {
    const reused = this.#wire !== undefined;
    try {
      return await this.#request(method, target, opts);
    } catch (err) {
      // A keep-alive connection the server closed before answering: send
      // once more on a fresh one (as HTTP clients do for stale connections).
      if (!reused || !(err instanceof StaleConnection)) throw err;
      return await this.#request(method, target, opts);
    }
  }

  async #request(
    method: string,
    target: string,
    opts: RawRequestOptions,
  ): Promise<RawResponse> {
    const wire = await this.#connect();
    const receivedBefore = wire.received;
    const body = typeof opts.body === "string"
      ? enc.encode(opts.body)
      : opts.body;
    const lines = [`${method} ${target} HTTP/1.1`, `Host: 127.0.0.1`];
    if (this.#opts.token && !opts.anonymous) {
      lines.push(`Authorization: Bearer ${this.#opts.token}`);
    }
    for (const [k, v] of Object.entries(opts.headers ?? {})) {
      lines.push(`${k}: ${v}`);
    }
    if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
    const head = enc.encode(lines.join("\r\n") + "\r\n\r\n");
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.close();
    }, opts.timeoutMs ?? 5000);
    try {
      let writeError: unknown;
      try {
        await wire.write(body ? concat(head, body) : head);
      } catch (err) {
        // The server may answer early (and close) before reading the whole
        // body: read what it said before giving up.
        writeError = err;
      }
      let res: RawResponse;
      try {
        res = await this.#read(wire, method, opts.headOnly ?? false);
      } catch (err) {
        throw writeError ?? err;
      }
      const connection = res.headers.get("connection")?.toLowerCase();
      if (opts.headOnly || connection === "close") this.close();
      return res;
    } catch (err) {
      this.close();
      if (timedOut) {
        throw new Error(`timed out: ${method} ${target}`, { cause: err });
      }
      if (wire.received === receivedBefore) throw new StaleConnection(err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async #read(
    wire: Wire,
    method: string,
    headOnly: boolean,
  ): Promise<RawResponse> {
    let status = 0;
    let statusText = "";
    let headers = new Headers();
    // Skip interim 1xx responses.
    do {
      const statusLine = await wire.line();
      const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
      if (!m) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`);
      status = Number(m[1]);
      statusText = m[2];
      headers = new Headers();
      for (;;) {
        const line = await wire.line();
        if (line === "") break;
        const colon = line.indexOf(":");
        headers.append(
          line.slice(0, colon).trim(),
          line.slice(colon + 1).trim(),
        );
      }
    } while (status >= 100 && status < 200);

    let body: Uint8Array = new Uint8Array(0);
    const noBody = headOnly || method === "HEAD" || status === 204 ||
      status === 304;
    if (!noBody) {
      const te = headers.get("transfer-encoding")?.toLowerCase() ?? "";
      const cl = headers.get("content-length");
      if (te.includes("chunked")) {
        const parts: Uint8Array[] = [];
        for (;;) {
          const size = parseInt((await wire.line()).split(";")[0], 16);
          if (!Number.isFinite(size)) throw new Error("bad chunk size");
          if (size === 0) {
            while ((await wire.line()) !== "") { /* trailers */ }
            break;
          }
          parts.push(await wire.exactly(size));
          await wire.exactly(2);
        }
        body = parts.reduce(concat, new Uint8Array(0));
      } else if (cl !== null) {
        body = await wire.exactly(Number(cl));
      } else {
        body = await wire.rest();
        headers.set("connection", "close");
      }
    }
    return {
      status,
      statusText,
      headers,
      body,
      text: () => dec.decode(body),
      json: () => JSON.parse(dec.decode(body)),
    };
  }
}
