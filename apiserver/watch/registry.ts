/**
 * The owner of every running watch stream of one server: `close()` stops
 * them all and waits until each has finished.
 *
 * @module
 */

/** Tracks running watches. */
export class WatchRegistry {
  #running = new Map<AbortController, Promise<void>>();
  #closed = false;

  /** Number of running watches. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * Runs `task` with a signal that aborts on {@linkcode close}. Returns the
   * abort controller of the task (abort it to stop the task early).
   */
  start(task: (signal: AbortSignal) => Promise<void>): AbortController {
    const ac = new AbortController();
    if (this.#closed) ac.abort();
    const done = task(ac.signal).finally(() => this.#running.delete(ac));
    this.#running.set(ac, done);
    return ac;
  }

  /** Aborts every running watch and waits for them to end. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#running.entries()];
    for (const [ac] of all) ac.abort();
    await Promise.allSettled(all.map(([, p]) => p));
  }
}
