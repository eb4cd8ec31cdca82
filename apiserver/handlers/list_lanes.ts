/**
 * Lanes for big lists: at most {@linkcode LIST_LANES} lists that are
 * expected to be big hold their decoded objects at once; the others wait
 * for a lane before they read the store. A list of 20,000 1 KiB ConfigMaps
 * is ~60 MB of objects while it is encoded, so twenty at once took 1.1 GB
 * even streamed; in lanes they take what two take. It is kube-apiserver's
 * reasoning in its priority-and-fairness work estimator, which charges a
 * list seats by the number of objects it will read.
 *
 * Whether a list is big is judged from the size of the last list of the
 * same key; a key never listed takes no lane (a small list must not wait
 * behind big ones for a guess). A lane is given back
 * when the list has been encoded, or its response cancelled; a list that
 * has waited {@linkcode LANE_WAIT_LIMIT_MS} goes ahead without one, so
 * clients that read slowly can delay others but never block them.
 *
 * @module
 */

/** How many big lists hold their objects at once. */
export const LIST_LANES = 2;

/** Lists of more items than this (last time) take a lane. */
export const BIG_LIST_ITEMS = 1_000;

/** The longest a list waits for a lane before it goes ahead anyway. */
export const LANE_WAIT_LIMIT_MS = 10_000;

/** How many list keys' sizes are remembered. */
const REMEMBERED_KEYS = 10_000;

/** A lane (or none); `release` is idempotent. */
export interface ListLane {
  /** Records the list's size and gives the lane back. */
  release(items?: number): void;
}

/** The lanes of one API server. */
export class ListLanes {
  #free: number;
  #waiting: Array<() => void> = [];
  #sizes = new Map<string, number>();

  constructor(lanes = LIST_LANES) {
    this.#free = lanes;
  }

  /**
   * Waits for a lane when the list of `key` is expected to be big; the
   * returned lane records the list's size when released.
   */
  async enter(key: string): Promise<ListLane> {
    const last = this.#sizes.get(key);
    if (last === undefined || last <= BIG_LIST_ITEMS) {
      return this.#lane(key, false);
    }
    if (this.#free > 0) {
      this.#free--;
      return this.#lane(key, true);
    }
    const got = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((w) => w !== wake);
        resolve(false);
      }, LANE_WAIT_LIMIT_MS);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiting.push(wake);
    });
    return this.#lane(key, got);
  }

  #lane(key: string, held: boolean): ListLane {
    let done = false;
    return {
      release: (items?: number) => {
        if (done) return;
        done = true;
        if (items !== undefined) this.#remember(key, items);
        if (held) this.#handOn();
      },
    };
  }

  #handOn() {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }

  #remember(key: string, items: number) {
    this.#sizes.delete(key);
    this.#sizes.set(key, items);
    if (this.#sizes.size > REMEMBERED_KEYS) {
      this.#sizes.delete(this.#sizes.keys().next().value!);
    }
  }
}
