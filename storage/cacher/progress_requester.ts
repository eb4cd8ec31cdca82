/**
 * Asks the backend for watch progress (a BOOKMARK at its current revision)
 * while someone waits for the cache to catch up: once right away, then every
 * interval while the wait lasts. Concurrent waits share the requests.
 *
 * @module
 */

/** Throttled, owned progress requests. */
export class ProgressRequester {
  #request: () => Promise<void>;
  #intervalMs: number;
  #stillNeeded: () => boolean;
  #timer?: ReturnType<typeof setTimeout>;
  #closed = false;

  /**
   * `request` asks the backend; `stillNeeded` says whether another request
   * is due after an interval.
   */
  constructor(
    request: () => Promise<void>,
    intervalMs: number,
    stillNeeded: () => boolean,
  ) {
    this.#request = request;
    this.#intervalMs = intervalMs;
    this.#stillNeeded = stillNeeded;
  }

  /** Requests progress now, unless a request went out within the interval. */
  request(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#fire();
  }

  #fire(): void {
    this.#request().catch(() => {
      // The backend is unavailable; the waiter times out and falls back.
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed && this.#stillNeeded()) this.#fire();
    }, this.#intervalMs);
  }

  /** Stops the timer; later requests are ignored. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
