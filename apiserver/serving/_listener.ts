/**
 * The TLS front's listening socket, with a recovery Deno needs: when
 * accepting fails for lack of file descriptors (EMFILE/ENFILE), Deno's
 * `node:net` server stops accepting for good, silently — no `error`
 * event, connections pile up in the kernel's backlog (measured with Deno
 * 2.9 under `ulimit -n 256`). So once anything in the front runs out of
 * descriptors it calls {@linkcode Listener.suspect}: the listener then
 * checks, with backoff, that it still accepts (it connects to itself),
 * and listens anew on the same port when it does not.
 *
 * @module
 */

import net from "node:net";
import type { Logger } from "../../log/mod.ts";
import { sleep } from "../../internal/sleep.ts";

/** A listening socket. */
export interface Listener {
  readonly address: net.AddressInfo;
  /** Something ran out of file descriptors: make sure accepting goes on. */
  suspect(): void;
  /** Stops listening (and any recovery). */
  close(): Promise<void>;
}

/** Options of {@linkcode listen}. */
export interface ListenOptions {
  bindAddress: string;
  port: number;
  onConnection(socket: net.Socket): void;
  logger: Logger;
}

const PROBE_WAIT_MS = 1_000;
const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5_000;

/** Listens; rejects as `net.Server` does (`err.code` EADDRINUSE, …). */
export async function listen(opts: ListenOptions): Promise<Listener> {
  const probes = new Map<number, () => void>(); // local port → seen
  const onConnection = (raw: net.Socket) => {
    const seen = raw.remotePort !== undefined && probes.get(raw.remotePort);
    if (seen) {
      seen();
      raw.destroy();
      return;
    }
    opts.onConnection(raw);
  };
  const open = (port: number) =>
    new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer(onConnection);
      server.once("error", reject);
      server.listen(port, opts.bindAddress, () => {
        server.off("error", reject);
        server.on("error", () => {}); // accept errors: see the module doc
        resolve(server);
      });
    });
  let server = await open(opts.port);
  const address = server.address() as net.AddressInfo;
  const stop = new AbortController();
  let recovering: Promise<void> | undefined;

  /** True when a connection to ourselves is accepted within a second. */
  const accepts = async (): Promise<boolean | undefined> => {
    const probe = net.connect(address.port, probeHost(address.address));
    try {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const connected = await new Promise<boolean | "stuck">((resolve) => {
        probe.once("connect", () => resolve(true));
        probe.once("error", () => resolve(false));
        // A full backlog drops the SYN: connecting hangs.
        timer = setTimeout(() => resolve("stuck"), PROBE_WAIT_MS);
      });
      clearTimeout(timer);
      if (connected === "stuck") return false;
      if (!connected) return undefined; // we cannot even connect: no verdict
      const { promise, resolve } = Promise.withResolvers<boolean>();
      probes.set(probe.localPort!, () => resolve(true));
      timer = setTimeout(() => resolve(false), PROBE_WAIT_MS);
      const ok = await promise;
      clearTimeout(timer);
      probes.delete(probe.localPort!);
      return ok;
    } finally {
      probe.destroy();
    }
  };

  const recover = async () => {
    let backoff = FIRST_BACKOFF_MS;
    while (!stop.signal.aborted) {
      await sleep(backoff, stop.signal);
      if (stop.signal.aborted) return;
      const ok = await accepts();
      if (ok) return;
      if (ok === false) {
        try {
          // Stops listening at once; its callback would wait for every
          // connection it accepted to end, which is not what we need.
          server.close();
          server = await open(address.port);
          opts.logger.warn("listening again after accepting stopped", {
            port: address.port,
          });
          continue; // check the new one too
        } catch (err) {
          opts.logger.debug("listening again failed", {
            err: err instanceof Error ? err.message : String(err),
          });
        }
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  };

  return {
    address,
    suspect() {
      if (stop.signal.aborted || recovering) return;
      recovering = recover().finally(() => (recovering = undefined));
    },
    async close() {
      stop.abort();
      await recovering;
      server.close(); // the front tracks and ends the connections itself
    },
  };
}

function probeHost(bound: string): string {
  if (bound === "0.0.0.0" || bound === "") return "127.0.0.1";
  if (bound === "::") return "::1";
  return bound;
}
