/**
 * The control socket through which `hyperplane snapshot save` asks the
 * running server for a snapshot: the server holds its database in SQLite's
 * exclusive locking mode, so no other process can read it, and the copy has
 * to be made on the server's own connection.
 *
 * A Unix socket `<data-dir>/control.sock`, mode 0600 inside the 0700 data
 * dir: only the user who owns the data (and could read `state.db` anyway)
 * can connect, and nothing listens on the network. One request per
 * connection, one JSON line each way:
 *
 * ```text
 * → {"op":"snapshot","file":"/abs/path/snap.db"}
 * ← {"ok":true,"header":{…}}   or   {"ok":false,"error":"…"}
 * ```
 *
 * @module
 */

import { join } from "node:path";
import type { Logger } from "../../log/mod.ts";
import type { SnapshotHeader } from "./snapshot.ts";

/** The socket's file name in the data dir. */
export const CONTROL_SOCKET = "control.sock";
/** Longest path a Unix socket address takes (Linux `sun_path`, less the NUL). */
const MAX_SOCKET_PATH = 107;

/** The control socket of the server whose data dir is `dataDir`. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET);
}

/** Options for {@linkcode serveControlSocket}. */
export interface ControlSocketOptions {
  path: string;
  snapshot(file: string): Promise<SnapshotHeader>;
  logger: Logger;
}

/** A listening control socket. */
export interface ControlSocket {
  close(): Promise<void>;
}

async function readLine(conn: Deno.Conn, max = 64 * 1024): Promise<string> {
  const buf = new Uint8Array(4096);
  let text = "";
  const decoder = new TextDecoder();
  while (!text.includes("\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
    if (text.length > max) throw new Error("request too long");
  }
  return text.split("\n")[0];
}

async function writeLine(conn: Deno.Conn, value: unknown): Promise<void> {
  const data = new TextEncoder().encode(JSON.stringify(value) + "\n");
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

/**
 * Listens on `opts.path` (a stale socket file from an earlier run is
 * replaced). Returns `undefined`, after a warning, when the path is too long
 * for a Unix socket.
 */
export async function serveControlSocket(
  opts: ControlSocketOptions,
): Promise<ControlSocket | undefined> {
  if (new TextEncoder().encode(opts.path).length > MAX_SOCKET_PATH) {
    opts.logger.warn(
      "data dir path too long for the control socket; `hyperplane snapshot save` cannot reach this server",
      { path: opts.path },
    );
    return undefined;
  }
  await Deno.remove(opts.path).catch(() => {});
  const listener = Deno.listen({ transport: "unix", path: opts.path });
  await Deno.chmod(opts.path, 0o600);
  const conns = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn) => {
    try {
      const req = JSON.parse(await readLine(conn));
      if (req?.op !== "snapshot" || typeof req.file !== "string") {
        await writeLine(conn, { ok: false, error: "unknown request" });
        return;
      }
      opts.logger.info("snapshot requested", { file: req.file });
      try {
        const header = await opts.snapshot(req.file);
        opts.logger.info("snapshot written", {
          file: req.file,
          revision: header.revision,
          bytes: header.size,
        });
        await writeLine(conn, { ok: true, header });
      } catch (err) {
        opts.logger.error("snapshot failed", { file: req.file, err });
        await writeLine(conn, { ok: false, error: (err as Error).message });
      }
    } catch (err) {
      opts.logger.warn("control socket: bad request", { err });
    } finally {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const p = serve(conn);
        conns.add(p);
        p.finally(() => conns.delete(p));
      }
    } catch { /* closed */ }
  })();
  return {
    async close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      await accepting;
      await Promise.all(conns);
      await Deno.remove(opts.path).catch(() => {});
    },
  };
}

/** Why the server could not be asked (no socket, nobody listening). */
export class ControlSocketUnreachable extends Error {
  constructor(path: string, cause: unknown) {
    super(
      `no hyperplane server answers on ${path}: ${(cause as Error).message}`,
      { cause },
    );
    this.name = "ControlSocketUnreachable";
  }
}

/**
 * Asks the server listening on `socketPath` to write a snapshot to `file`
 * (an absolute path). Throws {@linkcode ControlSocketUnreachable} when no
 * server listens, and an `Error` with the server's message when it failed.
 */
export async function requestSnapshot(
  socketPath: string,
  file: string,
): Promise<SnapshotHeader> {
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socketPath });
  } catch (err) {
    throw new ControlSocketUnreachable(socketPath, err);
  }
  try {
    await writeLine(conn, { op: "snapshot", file });
    const line = await readLine(conn);
    if (line === "") throw new Error("the server closed the connection");
    const res = JSON.parse(line);
    if (!res.ok) throw new Error(String(res.error));
    return res.header as SnapshotHeader;
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}
