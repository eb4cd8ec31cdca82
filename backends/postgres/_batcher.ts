/**
 * Group commit for the postgres log: writes that arrive while a batch is on
 * its way to the database wait and go together in the next one — one
 * statement, one transaction, one revision lock, one NOTIFY (see
 * `_schema.ts`). A lone write goes at once, so it waits for nothing; many
 * concurrent writes share round trips and lock hand-offs (the revision lock
 * serialises every write of every replica anyway). Each write is still
 * checked alone and fails alone; its promise settles after the commit.
 *
 * @module
 */

import type { LogEvent } from "../../storage/log/log.ts";
import { KIND_CREATE, KIND_UPDATE } from "./_schema.ts";

/** One write waiting for its batch. */
export interface PendingWrite {
  op: number;
  key: string;
  /** The new value (`null` for a delete). */
  value: string | null;
  expected: number;
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

/** A row of the batch function, for one write. */
export interface WriteRow {
  /** `""` when written, else the refusal's SQLSTATE-like code. */
  status: string;
  /** The write's revision; for a refusal, the revision it refers to. */
  revision: number;
  prev_revision: number | null;
  prev_value: string | null;
}

/** What a write's promise resolves to. */
export interface WriteResult {
  row: WriteRow;
  /** The committed change (when `row.status` is empty). */
  event?: LogEvent;
}

/** Options for {@linkcode WriteBatcher}. */
export interface WriteBatcherOptions {
  /** Runs one batch (one statement); rows in the order of `writes`. */
  run(writes: PendingWrite[]): Promise<WriteRow[]>;
  /** Called with a batch's committed changes, in revision order, before promises settle. */
  committed(events: LogEvent[]): void;
  /** Batches on their way at once. Default 2. */
  maxInFlight?: number;
  /** Writes per batch at most. Default 256. */
  maxBatch?: number;
  /**
   * Key and value characters per batch at most (a batch never splits a
   * write). Default 8 Mi: objects may be up to 3 MiB each.
   */
  maxBatchBytes?: number;
}

/** Queues writes and sends them in batches. */
export class WriteBatcher {
  #opts: WriteBatcherOptions;
  #queue: PendingWrite[] = [];
  #inFlight = 0;
  #idle: (() => void)[] = [];

  constructor(opts: WriteBatcherOptions) {
    this.#opts = opts;
  }

  /** Queues one write; resolves after its batch committed. */
  write(
    op: number,
    key: string,
    value: string | null,
    expected: number,
  ): Promise<WriteResult> {
    if (this.reserve()) {
      return this.#sendAlone({
        op,
        key,
        value,
        expected,
        resolve: noop,
        reject: noop,
      });
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ op, key, value, expected, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Takes a batch slot for a lone write that the caller sends itself: true
   * when nothing is queued and a slot is free (the write is the batch of
   * one that `#pump` would send at once), else false (nothing taken). Give
   * the slot back with {@linkcode release} once the write settled and its
   * change was handed on.
   */
  reserve(): boolean {
    if (
      this.#queue.length !== 0 ||
      this.#inFlight >= (this.#opts.maxInFlight ?? 2)
    ) return false;
    this.#inFlight++;
    return true;
  }

  /** Gives back a slot taken by {@linkcode reserve}; queued writes go on. */
  release(): void {
    this.#inFlight--;
    if (this.#queue.length > 0 || this.#idle.length > 0) this.#pump();
  }

  /** Resolves when no batch is queued or on its way. */
  drained(): Promise<void> {
    if (this.#inFlight === 0 && this.#queue.length === 0) {
      return Promise.resolve();
    }
    return new Promise((r) => this.#idle.push(r));
  }

  #pump(): void {
    const max = this.#opts.maxInFlight ?? 2;
    while (this.#queue.length > 0 && this.#inFlight < max) {
      const batch = this.#queue.splice(0, this.#batchLength());
      this.#inFlight++;
      void this.#send(batch);
    }
    if (this.#inFlight === 0 && this.#queue.length === 0) {
      for (const r of this.#idle.splice(0)) r();
    }
  }

  /** How many queued writes the next batch takes: by count and by bytes. */
  #batchLength(): number {
    const maxCount = Math.min(this.#queue.length, this.#opts.maxBatch ?? 256);
    const maxBytes = this.#opts.maxBatchBytes ?? 8 << 20;
    let bytes = 0;
    for (let i = 0; i < maxCount; i++) {
      bytes += this.#queue[i].key.length + (this.#queue[i].value?.length ?? 0);
      if (bytes > maxBytes) return Math.max(1, i);
    }
    return maxCount;
  }

  /**
   * A lone write (a slot {@linkcode reserve}d): the batch of one that
   * `#pump` would send at once, without the queue's bookkeeping (the
   * common case at one request in flight).
   */
  async #sendAlone(w: PendingWrite): Promise<WriteResult> {
    try {
      const [row] = await this.#opts.run([w]);
      if (row.status !== "") return { row };
      const event = toEvent(w, row);
      this.#opts.committed([event]);
      return { row, event };
    } finally {
      this.release();
    }
  }

  async #send(batch: PendingWrite[]): Promise<void> {
    try {
      let rows: WriteRow[];
      try {
        rows = await this.#opts.run(batch);
      } catch (err) {
        for (const w of batch) w.reject(err);
        return;
      }
      const events: LogEvent[] = [];
      const results = batch.map((w, i) => {
        const row = rows[i];
        if (row.status !== "") return { row };
        const event = toEvent(w, row);
        events.push(event);
        return { row, event };
      });
      if (events.length > 0) this.#opts.committed(events);
      batch.forEach((w, i) => w.resolve(results[i]));
    } finally {
      this.#inFlight--;
      this.#pump();
    }
  }
}

function noop(): void {}

function toEvent(w: PendingWrite, row: WriteRow): LogEvent {
  const revision = Number(row.revision);
  if (w.op === KIND_CREATE) {
    return { type: "create", key: w.key, revision, value: w.value! };
  }
  return {
    type: w.op === KIND_UPDATE ? "update" : "delete",
    key: w.key,
    revision,
    value: w.op === KIND_UPDATE ? w.value! : row.prev_value!,
    prevValue: row.prev_value!,
    prevRevision: Number(row.prev_revision),
  };
}
