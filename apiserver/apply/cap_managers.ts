/**
 * Upstream `capManagersManager`: at most 10 `Update` entries are kept; the
 * oldest are merged, per apiVersion, into an `ancient-changes` entry.
 *
 * @module
 */

import { managerId, type Managers } from "./managed_fields.ts";

/** Upstream `DefaultMaxUpdateManagers`. */
export const MAX_UPDATE_MANAGERS = 10;

/** The manager the oldest update entries are merged into. */
export const ANCIENT_CHANGES_MANAGER = "ancient-changes";

function seconds(time: string | undefined): number {
  const t = time ? Date.parse(time) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/**
 * Merges the oldest `Update` entries of `managers` (in place) until no more
 * than `max` remain, as upstream `capUpdateManagers`: oldest first (ties by
 * identifier), one bucket per apiVersion, whose time is the newest merged.
 */
export function capUpdateManagers(
  managers: Managers,
  max = MAX_UPDATE_MANAGERS,
): void {
  const updaters = [...managers.entries()]
    .filter(([, r]) => r.operation === "Update")
    .map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => {
    const ta = seconds(managers.get(a)!.time);
    const tb = seconds(managers.get(b)!.time);
    if (ta !== tb) return ta - tb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
  const seenVersions = new Set<string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const rec = managers.get(id);
    if (!rec) continue;
    const version = rec.apiVersion;
    const key = {
      manager: ANCIENT_CHANGES_MANAGER,
      operation: "Update" as const,
      apiVersion: version,
    };
    const bucketId = managerId(key);
    const previous = managers.get(bucketId);
    managers.delete(id);
    const newer = !previous ||
      seconds(previous.time) < seconds(rec.time);
    managers.set(bucketId, {
      ...key,
      time: newer ? rec.time : previous!.time,
      set: previous ? rec.set.union(previous.set) : rec.set,
    });
    if (!seenVersions.has(version)) seenVersions.add(version);
    else length--;
  }
}
