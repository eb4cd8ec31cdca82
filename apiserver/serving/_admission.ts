/**
 * The TLS front's budget of connections with work in flight, and the fair
 * queue of the connections waiting for it.
 *
 * Why: the front does the TLS and relay work of every connection on the
 * one event loop. Under a flood of busy keep-alive connections (1,000
 * `wrk` connections) each turn of the loop serves all of them, so a new
 * client that needs several round trips (a TLS handshake, kubectl's
 * discovery) waits one long turn per round trip — seconds — while the
 * server's own flow control never sees more than a few requests at once
 * and never sheds anything. With a budget, a connection whose next request
 * finds no budget is paused (its bytes stay in the kernel, costing the
 * loop nothing) until a slot frees up; the loop's turns stay short.
 *
 * Fairness is per connection (the front cannot know the user of a bearer
 * token): waiting connections are admitted in the order of their recent
 * request count (admissions, decayed with a half-life), fewest first, so a
 * fresh connection's first requests go ahead of a flood's. A connection
 * that waits longer than `maxWaitMs` is told so (`onTimeout`: the front
 * answers 429 with `Retry-After`, or admits it anyway where it cannot).
 * A slot is held from admission until the connection's requests have their
 * response heads (so a watch, whose head comes at once, holds nothing while
 * it streams), and, while others wait, never longer than `leaseMs`.
 *
 * Nothing here costs a timer per request: leases and waits are checked by
 * one interval that runs only while some connection waits.
 *
 * @module
 */

/** Settings of the front's admission (milliseconds). */
export interface AdmissionOptions {
  /** Connections with a request in flight at once; `0` turns admission off. */
  budget: number;
  /** Longest wait in the queue before `onTimeout`. */
  maxWaitMs: number;
  /** Longest a connection holds a slot (long handlers, slow uploads). */
  leaseMs: number;
  /** Half-life of a connection's recent request count. Default 5 000. */
  halfLifeMs?: number;
}

/** Defaults of the front's admission; see `bench/README.md` (starvation). */
export const DEFAULT_ADMISSION: AdmissionOptions = {
  budget: 32,
  maxWaitMs: 1_000,
  leaseMs: 2_000,
  halfLifeMs: 5_000,
};

/** The budget and its queue, shared by every connection of a front. */
export class FrontAdmission {
  readonly #budget: number;
  readonly #maxWaitMs: number;
  readonly #leaseMs: number;
  readonly #tickMs: number;
  readonly #decayPerMs: number;
  readonly #leased = new Set<AdmissionTicket>();
  readonly #heap: AdmissionTicket[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #open = false; // draining: everyone is admitted at once
  #seq = 0;

  constructor(opts: AdmissionOptions) {
    this.#budget = opts.budget;
    this.#maxWaitMs = opts.maxWaitMs;
    this.#leaseMs = opts.leaseMs;
    this.#decayPerMs = Math.LN2 / (opts.halfLifeMs ?? 5_000);
    this.#tickMs = Math.min(
      250,
      Math.max(5, Math.floor(Math.min(opts.maxWaitMs, opts.leaseMs) / 4)),
    );
  }

  /** True when there is a budget at all. */
  get enabled(): boolean {
    return this.#budget > 0;
  }

  /** Slots held now. */
  get inFlight(): number {
    return this.#leased.size;
  }

  /** Connections waiting now. */
  get waiting(): number {
    return this.#heap.length;
  }

  /**
   * A ticket for one connection; `onAdmit` is called when a queued request
   * is admitted, `onTimeout` when it waited `maxWaitMs` in vain.
   */
  ticket(onAdmit: () => void, onTimeout: () => void): AdmissionTicket {
    return new AdmissionTicket(this, onAdmit, onTimeout);
  }

  /** Shutdown: admit every waiting connection, and from now on everyone. */
  open(): void {
    this.#open = true;
    while (this.#heap.length > 0) this.#admit(this.#pop()!);
    this.#stopTimer();
  }

  /** @internal */
  request(t: AdmissionTicket): boolean {
    const now = performance.now();
    if (!this.enabled || this.#open) {
      t.state = "forced";
      this.#count(t, now);
      return true;
    }
    if (this.#leased.size < this.#budget && this.#heap.length === 0) {
      this.#lease(t, now);
      return true;
    }
    t.state = "waiting";
    t.since = now;
    t.priority = this.#decayed(t, now);
    t.seq = this.#seq++;
    this.#push(t);
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs);
    return false;
  }

  /** @internal */
  release(t: AdmissionTicket): void {
    if (t.state === "waiting") this.#remove(t);
    else if (t.state === "leased") this.#leased.delete(t);
    t.state = "idle";
    while (this.#leased.size < this.#budget && this.#heap.length > 0) {
      this.#admit(this.#pop()!);
    }
    if (this.#heap.length === 0) this.#stopTimer();
  }

  /** Runs while someone waits: ends overdue leases, then overdue waits. */
  #tick(): void {
    const now = performance.now();
    for (const t of this.#leased) {
      if (now - t.since >= this.#leaseMs) this.release(t);
    }
    const late = this.#heap.filter((t) => now - t.since >= this.#maxWaitMs);
    for (const t of late) {
      if (t.state !== "waiting") continue;
      this.#remove(t);
      t.state = "idle";
      this.#count(t, now); // a refusal is a request too
      t.onTimeout();
    }
    if (this.#heap.length === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Admits a ticket taken off the queue. */
  #admit(t: AdmissionTicket): void {
    const now = performance.now();
    if (this.#open) {
      t.state = "forced";
      this.#count(t, now);
    } else this.#lease(t, now);
    t.onAdmit();
  }

  #lease(t: AdmissionTicket, now: number): void {
    t.state = "leased";
    t.since = now;
    this.#leased.add(t);
    this.#count(t, now);
  }

  #count(t: AdmissionTicket, now: number): void {
    t.score = this.#decayed(t, now) + 1;
    t.scoreAt = now;
  }

  #decayed(t: AdmissionTicket, now: number): number {
    return t.score * Math.exp(-this.#decayPerMs * (now - t.scoreAt));
  }

  // A binary heap ordered by (priority, seq): fewest recent requests first,
  // then first come.
  #less(a: AdmissionTicket, b: AdmissionTicket): boolean {
    return a.priority < b.priority ||
      (a.priority === b.priority && a.seq < b.seq);
  }

  #push(t: AdmissionTicket): void {
    const h = this.#heap;
    t.index = h.length;
    h.push(t);
    this.#up(t.index);
  }

  #pop(): AdmissionTicket | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    this.#removeAt(0);
    return top;
  }

  #remove(t: AdmissionTicket): void {
    if (t.index >= 0 && this.#heap[t.index] === t) this.#removeAt(t.index);
  }

  #removeAt(i: number): void {
    const h = this.#heap;
    const gone = h[i];
    const last = h.pop()!;
    gone.index = -1;
    if (last === gone) return;
    h[i] = last;
    last.index = i;
    this.#up(i);
    this.#down(last.index);
  }

  #up(i: number): void {
    const h = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i], h[p])) break;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    const h = this.#heap;
    while (true) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l], h[m])) m = l;
      if (r < h.length && this.#less(h[r], h[m])) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }

  #swap(i: number, j: number): void {
    const h = this.#heap;
    [h[i], h[j]] = [h[j], h[i]];
    h[i].index = i;
    h[j].index = j;
  }
}

/** One connection's place in the admission: idle, waiting, or holding a slot. */
export class AdmissionTicket {
  /** @internal */
  state: "idle" | "waiting" | "leased" | "forced" = "idle";
  /** @internal When it began to wait or took its slot. */
  since = 0;
  /** @internal */
  score = 0;
  /** @internal */
  scoreAt = 0;
  /** @internal */
  priority = 0;
  /** @internal */
  seq = 0;
  /** @internal */
  index = -1;
  /** @internal */
  readonly onAdmit: () => void;
  /** @internal */
  readonly onTimeout: () => void;
  readonly #admission: FrontAdmission;

  constructor(
    admission: FrontAdmission,
    onAdmit: () => void,
    onTimeout: () => void,
  ) {
    this.#admission = admission;
    this.onAdmit = onAdmit;
    this.onTimeout = onTimeout;
  }

  /** True while the connection may send requests on (holds a slot or was let through). */
  get admitted(): boolean {
    return this.state === "leased" || this.state === "forced";
  }

  /** True while queued. */
  get waiting(): boolean {
    return this.state === "waiting";
  }

  /**
   * Asks for a slot. `true`: admitted now. `false`: queued; later exactly
   * one of `onAdmit` or `onTimeout` is called (unless released first).
   */
  request(): boolean {
    if (this.state !== "idle") return this.admitted;
    return this.#admission.request(this);
  }

  /**
   * Lets the connection through without a slot (when it cannot be refused:
   * see `_front_connection.ts`); `release` ends it.
   */
  force(): void {
    if (this.state === "idle") this.state = "forced";
  }

  /** Gives the slot back (or leaves the queue). Idempotent. */
  release(): void {
    if (this.state === "idle") return;
    this.#admission.release(this);
  }
}
