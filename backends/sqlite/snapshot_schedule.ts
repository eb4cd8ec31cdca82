/**
 * Scheduled snapshots (`--snapshot-interval`, `--snapshot-retention`): every
 * interval a snapshot goes to `<data-dir>/snapshots/` as
 * `snapshot-<UTC time>.snap`, and all but the newest `retention` of them
 * are removed. A failed snapshot is logged and retried at the next tick.
 *
 * @module
 */

import { join } from "node:path";
import type { Logger } from "../../log/mod.ts";
import { mkdirPrivate } from "../../storage/files.ts";
import type { SnapshotHeader } from "./snapshot.ts";

/** Options for {@linkcode startSnapshotSchedule}. */
export interface SnapshotScheduleOptions {
  /** Where snapshots go (created 0700). */
  dir: string;
  intervalMs: number;
  /** How many snapshots to keep (at least 1). */
  retention: number;
  snapshot(file: string): Promise<SnapshotHeader>;
  logger: Logger;
  now?: () => Date;
}

/** A running schedule. */
export interface SnapshotSchedule {
  /** Takes one snapshot now and applies the retention; resolves to its file. */
  tick(): Promise<string | undefined>;
  /** Stops the schedule (waits for a snapshot in progress). */
  stop(): Promise<void>;
}

const NAME = /^snapshot-\d{8}T\d{9}Z\.snap$/;

/** `snapshot-20261206T103000123Z.snap` for 2026-12-06T10:30:00.123Z. */
export function snapshotFileName(at: Date): string {
  const iso = at.toISOString().replace(/[-:.]/g, "");
  return `snapshot-${iso}.snap`;
}

/** Starts taking snapshots every `opts.intervalMs`. */
export function startSnapshotSchedule(
  opts: SnapshotScheduleOptions,
): SnapshotSchedule {
  const now = opts.now ?? (() => new Date());
  let running: Promise<string | undefined> = Promise.resolve(undefined);
  const once = async (): Promise<string | undefined> => {
    try {
      await mkdirPrivate(opts.dir);
      const file = join(opts.dir, snapshotFileName(now()));
      const header = await opts.snapshot(file);
      opts.logger.info("scheduled snapshot written", {
        file,
        revision: header.revision,
        bytes: header.size,
      });
      const names: string[] = [];
      for await (const e of Deno.readDir(opts.dir)) {
        if (e.isFile && NAME.test(e.name)) names.push(e.name);
      }
      names.sort();
      for (
        const old of names.slice(0, Math.max(0, names.length - opts.retention))
      ) {
        await Deno.remove(join(opts.dir, old));
        opts.logger.info("old snapshot removed", { file: join(opts.dir, old) });
      }
      return file;
    } catch (err) {
      opts.logger.error("scheduled snapshot failed", { err });
      return undefined;
    }
  };
  const tick = () => (running = running.then(once));
  const timer = setInterval(() => void tick(), opts.intervalMs);
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
