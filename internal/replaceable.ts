/**
 * A storage client replaced when a call on it passed its deadline.
 *
 * A connection whose peer is gone without a word (a network partition, a
 * lost NAT or firewall state) still looks open to its client: a call on it
 * waits until TCP gives up, up to ~15 minutes, and the client keeps sending
 * further calls down it. Some clients also wait without end on a new
 * connection that a partition accepted into a black hole (`@grpc/grpc-js`
 * has no deadline on the HTTP/2 handshake). A deadline that passes is the
 * only sign, and it does not say which connection is dead, so the whole
 * client is replaced: new calls go to a fresh one at once, and the old one
 * is retired (given time to finish the calls still alive on it, then
 * closed). A client is replaced at most once per `minAgeMs`, so a long
 * outage, in which every call passes its deadline, does not pile up clients
 * and connection attempts.
 *
 * @module
 */

/** Options of a {@linkcode ReplaceableClient}. */
export interface ReplaceableClientOptions<T> {
  /** A client is replaced only after it has been current this long. */
  minAgeMs: number;
  /**
   * Ends a replaced client, resolving once it is closed; `signal` aborts
   * when the owner ends (close at once then, if the client allows it).
   */
  retire: (stale: T, signal: AbortSignal) => Promise<void>;
  /** Told of each replacement (for the log). */
  replaced?: () => void;
}

/** The current client and the ones being retired. */
export class ReplaceableClient<T> {
  #current: T;
  #since = performance.now();
  readonly #open: () => T;
  readonly #opts: ReplaceableClientOptions<T>;
  readonly #retiring = new Set<Promise<void>>();
  readonly #ended = new AbortController();

  /** `first` is the current client; `open` makes its successors. */
  constructor(first: T, open: () => T, opts: ReplaceableClientOptions<T>) {
    this.#current = first;
    this.#open = open;
    this.#opts = opts;
  }

  /** The client new calls go to. */
  get current(): T {
    return this.#current;
  }

  /**
   * Replaces `stale` when it is still the current client and has been so
   * for `minAgeMs` (several calls of one client passing their deadlines
   * replace it once); true if it did.
   */
  replace(stale: T): boolean {
    if (this.#ended.signal.aborted || stale !== this.#current) return false;
    if (performance.now() - this.#since < this.#opts.minAgeMs) return false;
    this.#current = this.#open();
    this.#since = performance.now();
    const retired: Promise<void> = this.#opts
      .retire(stale, this.#ended.signal)
      .catch(() => {})
      .then(() => {
        this.#retiring.delete(retired);
      });
    this.#retiring.add(retired);
    this.#opts.replaced?.();
    return true;
  }

  /**
   * Stops replacing, tells the retiring clients to close and waits for
   * them; the current client is the caller's to close.
   */
  async end(): Promise<void> {
    this.#ended.abort();
    await Promise.all([...this.#retiring]);
  }
}
