/**
 * A loopback TCP proxy that can cut the network silently, for tests of a
 * client against a server it can no longer reach: a partition drops every
 * byte both ways while the sockets stay open (no reset, no close — what a
 * lost route or a dropped firewall state looks like to both ends), and
 * connections made before or during a partition stay dead after it heals,
 * as when the state that carried them is gone. Connections made after the
 * heal work.
 *
 * @module
 */

/** A proxy in front of one loopback port. */
export class BlackholeProxy {
  readonly #listener: Deno.Listener;
  readonly #upstreamPort: number;
  readonly #sockets = new Set<Deno.Conn>();
  /** Connections of this generation forward; a partition starts the next. */
  #generation = 0;
  #partitioned = false;
  #closed = false;
  /** The port clients connect to. */
  readonly port: number;

  /** Listens on a free loopback port in front of `upstreamPort`. */
  constructor(upstreamPort: number) {
    this.#upstreamPort = upstreamPort;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.port = (this.#listener.addr as Deno.NetAddr).port;
    void this.#accept();
  }

  /** Silences every connection there is and every one made until {@linkcode heal}. */
  partition(): void {
    this.#partitioned = true;
    this.#generation++;
  }

  /** New connections work again; the silenced ones stay silent. */
  heal(): void {
    this.#partitioned = false;
  }

  /** Stops listening and closes every socket. */
  close(): void {
    this.#closed = true;
    this.#listener.close();
    for (const s of this.#sockets) closeQuietly(s);
    this.#sockets.clear();
  }

  async #accept(): Promise<void> {
    try {
      for await (const client of this.#listener) {
        this.#sockets.add(client);
        if (this.#partitioned) {
          void this.#pipe(client, undefined, () => false);
          continue;
        }
        const generation = this.#generation;
        const live = () =>
          !this.#closed && !this.#partitioned &&
          generation === this.#generation;
        let upstream: Deno.Conn;
        try {
          upstream = await Deno.connect({
            hostname: "127.0.0.1",
            port: this.#upstreamPort,
          });
        } catch {
          closeQuietly(client);
          continue;
        }
        this.#sockets.add(upstream);
        void this.#pipe(client, upstream, live);
        void this.#pipe(upstream, client, live);
      }
    } catch {
      // the listener was closed
    }
  }

  /** Copies `from` to `to` while `live`; drops what arrives otherwise. */
  async #pipe(
    from: Deno.Conn,
    to: Deno.Conn | undefined,
    live: () => boolean,
  ): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buf);
        if (n === null) break;
        if (to && live()) await writeAll(to, buf.subarray(0, n));
      }
    } catch {
      // a socket closed under us
    }
    // An end passes through only while the connection is live.
    if (live()) {
      closeQuietly(from);
      if (to) closeQuietly(to);
    }
  }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
