/**
 * Whether a value is frozen all the way down, for tests of the objects
 * the watch cache and the watch handler share (deep-frozen by contract).
 *
 * @module
 */

/** True when every object and array in `v` is frozen. */
export function deeplyFrozen(v: unknown): boolean {
  if (v === null || typeof v !== "object") return true;
  return Object.isFrozen(v) && Object.values(v).every(deeplyFrozen);
}
