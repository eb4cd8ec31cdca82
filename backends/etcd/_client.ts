/**
 * The thin layer over the npm `etcd3` client: connection options (TLS,
 * per-request deadlines, fast reconnects, no blind retries of writes), key
 * translation between store keys and etcd keys, and mapping of gRPC/etcd
 * failures to typed storage errors.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import {
  Etcd3,
  GRPCDeadlineExceededError,
  type IDeleteRangeRequest,
  type IDeleteRangeResponse,
  type IDuplexStream,
  type IKeyValue,
  type IRangeRequest,
  type IRangeResponse,
  type ITxnRequest,
  type ITxnResponse,
  type IWatchRequest,
  type IWatchResponse,
} from "etcd3";
import {
  expired,
  internal,
  KEY_ROOT,
  StorageError,
  tooLargeResourceVersion,
  unavailable,
} from "../../storage/mod.ts";
import { ReplaceableClient } from "../../internal/replaceable.ts";
import { sleep } from "../../internal/sleep.ts";
import type { EtcdConfig } from "./config.ts";

/** A duplex etcd watch stream. */
export type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/** One key-value as read from etcd, with the key in store space. */
export interface KeyValue {
  key: string;
  value: string;
  modRevision: number;
  createRevision: number;
}

/** Maps store keys (`/registry/…`) to etcd keys (`<prefix>/…`) and back. */
export class KeyMapper {
  readonly #prefix: string;
  constructor(prefix: string) {
    this.#prefix = prefix;
  }
  /** The etcd key for store key `key`. */
  toEtcd(key: string): Buffer {
    return Buffer.from(this.#prefix + key.slice(KEY_ROOT.length));
  }
  /** The store key for etcd key `key`. */
  fromEtcd(key: Buffer | Uint8Array | string): string {
    return KEY_ROOT + utf8(key).slice(this.#prefix.length);
  }
}

/** A revision number from etcd's string-encoded int64. */
export function rev(v: string | number | undefined | null): number {
  return v === undefined || v === null ? 0 : Number(v);
}

const decoder = new TextDecoder();

/**
 * Bytes from etcd as text. A `TextDecoder` reads the client's buffer in
 * place (`Buffer.from(b).toString()` copied every value first: a tenth of
 * a 100,000-object watch-cache fill).
 */
function utf8(bytes: Uint8Array | string): string {
  return typeof bytes === "string" ? bytes : decoder.decode(bytes);
}

/** Converts an etcd key-value into store space. */
export function toKeyValue(keys: KeyMapper, kv: IKeyValue): KeyValue {
  return {
    key: keys.fromEtcd(kv.key),
    value: kv.value ? utf8(kv.value) : "",
    modRevision: rev(kv.mod_revision),
    createRevision: rev(kv.create_revision),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const UNAVAILABLE_PATTERNS = [
  /unavailable/i,
  /deadline/i,
  /timed? ?out/i,
  /no leader/i,
  /leader changed/i,
  /circuit/i,
  /ECONNREFUSED/,
  /connect/i,
  /cancel/i,
  /stopped/i,
  /closed/i,
  /not capable/i,
  /too many requests/i,
  // The connection to the member broke mid-call (a killed or restarted
  // member): grpc-js reports it as INTERNAL, but it is a transport failure.
  /RST_STREAM/,
  /GOAWAY/,
  /socket has been ended/i,
  /socket hang up/i,
  /ECONNRESET/,
  /EPIPE/,
];

/**
 * Maps an error thrown by the etcd client to a `StorageError`. Storage
 * errors pass through unchanged. `revision` is the revision the request
 * asked for, used for `Expired`/`TooLargeResourceVersion` messages.
 */
export function mapError(
  err: unknown,
  what: string,
  ctx: { revision?: number; compacted?: number; current?: number } = {},
): StorageError {
  if (err instanceof StorageError) return err;
  const msg = messageOf(err);
  if (msg.includes("required revision has been compacted")) {
    const r = ctx.revision ?? 0;
    return expired(r, Math.max(ctx.compacted ?? 0, r));
  }
  if (msg.includes("required revision is a future revision")) {
    const r = ctx.revision ?? 0;
    return tooLargeResourceVersion(r, ctx.current ?? 0);
  }
  if (UNAVAILABLE_PATTERNS.some((re) => re.test(msg))) {
    return unavailable(`etcd unavailable during ${what}: ${msg}`, err);
  }
  return internal(`etcd ${what} failed: ${msg}`, err);
}

/**
 * A fault-handling policy that runs the call once (cockatiel's `IPolicy`
 * shape; the client only calls `execute`).
 */
// deno-lint-ignore no-explicit-any
const NO_POLICY: any = {
  execute: <T>(fn: (ctx: unknown) => T | Promise<T>) =>
    Promise.resolve().then(() => fn({ signal: new AbortController().signal })),
};

/**
 * The etcd connection shared by every store of one factory.
 *
 * A request that passes its deadline replaces the underlying client
 * (`ReplaceableClient`: at most once per request deadline; the old one is
 * closed a deadline later, so calls still alive on it can finish, and watch
 * streams on it break and resume on the new one). A deadline is the one sign
 * of a connection that is dead without knowing it, and of one
 * `@grpc/grpc-js` can never finish: it sets no deadline on a new
 * connection's HTTP/2 handshake, so an attempt that a partitioned network (a
 * middlebox) accepted into a black hole stays "connecting" — and every call
 * waits for it — until its socket closes, which may be never; the channel's
 * keepalive cannot help before the handshake.
 */
export class EtcdClient {
  readonly keys: KeyMapper;
  readonly #client: ReplaceableClient<Etcd3>;
  readonly #timeoutMs: number;

  private constructor(open: () => Etcd3, keys: KeyMapper, timeoutMs: number) {
    this.#client = new ReplaceableClient(open(), open, {
      minAgeMs: timeoutMs,
      retire: async (stale, closing) => {
        await sleep(timeoutMs, closing);
        stale.close();
      },
    });
    this.keys = keys;
    this.#timeoutMs = timeoutMs;
  }

  /** Creates the client (no network traffic yet). */
  static create(config: EtcdConfig): EtcdClient {
    const read = (p?: string) =>
      p ? Buffer.from(Deno.readFileSync(p)) : undefined;
    // Read once: a replacement client uses the same files' contents.
    const credentials = config.tls
      ? {
        rootCertificate: read(config.caFile) as Buffer,
        certChain: read(config.certFile),
        privateKey: read(config.keyFile),
      }
      : undefined;
    const hosts = config.servers.map((s) => s.replace(/^https?:\/\//, ""));
    const timeoutMs = config.requestTimeoutMs;
    const open = () =>
      new Etcd3({
        hosts,
        credentials,
        // Writes are not idempotent: a blind retry of a create that committed
        // would report KeyExists. Callers see Unavailable and decide.
        faultHandling: { global: NO_POLICY, host: () => NO_POLICY },
        grpcOptions: {
          "grpc.initial_reconnect_backoff_ms": 100,
          "grpc.min_reconnect_backoff_ms": 100,
          "grpc.max_reconnect_backoff_ms": 1000,
          "grpc.keepalive_time_ms": 10_000,
          "grpc.keepalive_timeout_ms": 5_000,
          // Its own connections: by default channels to one address share
          // them, and a replacement client would wait on the same stuck
          // connection attempt as the client it replaces.
          "grpc.use_local_subchannel_pool": 1,
          "grpc.max_receive_message_length": 256 * 1024 * 1024,
        },
        defaultCallOptions: (ctx) =>
          ctx.isStream ? {} : { deadline: Date.now() + timeoutMs },
      });
    return new EtcdClient(open, new KeyMapper(config.prefix), timeoutMs);
  }

  /** `fn` on the current client; a deadline passing replaces that client. */
  async #call<T>(fn: (client: Etcd3) => Promise<T>): Promise<T> {
    const client = this.#client.current;
    try {
      return await fn(client);
    } catch (err) {
      if (err instanceof GRPCDeadlineExceededError) {
        this.#client.replace(client);
      }
      throw err;
    }
  }

  /** The request deadline in milliseconds. */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** A range request (keys already in etcd space). */
  range(req: IRangeRequest): Promise<IRangeResponse> {
    return this.#call((c) => c.kv.range(req));
  }

  /** A DeleteRange (keys already in etcd space): one revision for every key. */
  deleteRange(req: IDeleteRangeRequest): Promise<IDeleteRangeResponse> {
    return this.#call((c) => c.kv.deleteRange(req));
  }

  /** A transaction (keys already in etcd space). */
  txn(req: ITxnRequest): Promise<ITxnResponse> {
    return this.#call((c) => c.kv.txn(req));
  }

  /** The etcd version of the member that answers (`Maintenance.Status`). */
  async serverVersion(): Promise<string> {
    return (await this.#call((c) => c.maintenance.status())).version;
  }

  /** Compacts history up to `revision`. */
  async compact(revision: number): Promise<void> {
    await this.#call((c) => c.kv.compact({ revision: String(revision) }));
  }

  /** Opens a new watch stream. */
  watchStream(): Promise<WatchStream> {
    return this.#client.current.watchClient.watch();
  }

  /** The current revision (a cheap consistent range on a single key). */
  async currentRevision(): Promise<number> {
    const res = await this.range({
      key: this.keys.toEtcd(KEY_ROOT + "/"),
      count_only: true,
    });
    return rev(res.header?.revision);
  }

  /** Closes every connection (the retired clients' too, at once). */
  async close(): Promise<void> {
    const current = this.#client.current;
    await this.#client.end();
    current.close();
  }
}
