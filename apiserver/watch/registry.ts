/**
 * The owner of every running watch stream of one server: `close()` stops
 * them all and waits until each has finished.
 *
 * @module
 */

/** Tracks running watches. */
export class WatchRegistry {
  #running = new Map<AbortController, Promise<void>>();
  #byLabel = new Map<string, number>();
  #closed = false;

  /** Number of running watches. */
  get size(): number {
    return this.#running.size;
  }

  /** Running watches by the label each was started with (metrics). */
  counts(): ReadonlyMap<string, number> {
    return this.#byLabel;
  }

  /**
   * Runs `task` with a signal that aborts on {@linkcode close}, counted
   * under `label` while it runs. Returns the abort controller of the task
   * (abort it to stop the task early).
   */
  start(
    task: (signal: AbortSignal) => Promise<void>,
    label = "",
  ): AbortController {
    const ac = new AbortController();
    if (this.#closed) ac.abort();
    this.#byLabel.set(label, (this.#byLabel.get(label) ?? 0) + 1);
    const done = task(ac.signal).finally(() => {
      this.#running.delete(ac);
      const n = (this.#byLabel.get(label) ?? 1) - 1;
      if (n > 0) this.#byLabel.set(label, n);
      else this.#byLabel.delete(label);
    });
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
