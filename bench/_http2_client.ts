/**
 * An HTTP/2 client for benches that behaves like Go's (kubectl, client-go):
 * `node:http2` over one connection, whose socket has Nagle's algorithm off.
 * Deno's `fetch` keeps Nagle on for HTTP/2, so a request written right after
 * its connection-level `WINDOW_UPDATE` waits for the server's delayed ACK
 * (~40 ms, one list page in four or five; `bench/README.md`, "100,000
 * objects"): a stall of that client, not of the server.
 *
 * @module
 */

import http2 from "node:http2";

/** A GET over one HTTP/2 connection; `close()` ends the connection. */
export interface Http2Getter {
  /** GETs `path` and answers the whole body as text (200 expected). */
  get(path: string): Promise<string>;
  close(): void;
}

/** Opens one HTTP/2 connection to `url` trusting `ca`, sending `token`. */
export function http2Getter(
  url: string,
  ca: string | undefined,
  token: string,
): Http2Getter {
  const session = http2.connect(url, ca ? { ca } : {});
  session.on("error", () => {}); // surfaced by the request that meets it
  const get = (path: string) =>
    new Promise<string>((resolve, reject) => {
      const req = session.request({
        ":path": path,
        authorization: `Bearer ${token}`,
      });
      let status = 0;
      let body = "";
      req.setEncoding("utf8");
      req.on("response", (headers) => status = Number(headers[":status"]));
      req.on("data", (chunk: string) => body += chunk);
      req.on("end", () =>
        status === 200
          ? resolve(body)
          : reject(new Error(`${path}: ${status} ${body.slice(0, 300)}`)));
      req.on("error", reject);
      req.end();
    });
  return { get, close: () => session.close() };
}
