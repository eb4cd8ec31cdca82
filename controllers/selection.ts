/**
 * `--controllers` as upstream: a comma-separated list where `*` enables
 * every controller, `name` enables one, `-name` disables one (a `-name`
 * wins over `*`), and `-*` disables all.
 *
 * @module
 */

/** A `--controllers` value that names an unknown controller or is empty. */
export class ControllerSelectionError extends Error {
  /** An error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ControllerSelectionError";
  }
}

/**
 * The controllers `spec` enables out of `known` (in `known`'s order).
 *
 * @example
 * ```ts
 * selectControllers("*,-garbagecollector", ["garbagecollector", "namespace"]);
 * // → ["namespace"]
 * ```
 */
export function selectControllers(
  spec: string,
  known: readonly string[],
): string[] {
  const items = spec.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) {
    throw new ControllerSelectionError("--controllers: empty list");
  }
  let all = false;
  let none = false;
  const on = new Set<string>();
  const off = new Set<string>();
  for (const item of items) {
    if (item === "*") all = true;
    else if (item === "-*") none = true;
    else {
      const neg = item.startsWith("-");
      const name = neg ? item.slice(1) : item;
      if (!known.includes(name)) {
        throw new ControllerSelectionError(
          `--controllers: unknown controller ${JSON.stringify(name)} (known: ${
            known.join(", ")
          })`,
        );
      }
      (neg ? off : on).add(name);
    }
  }
  return known.filter((n) => !off.has(n) && (on.has(n) || (all && !none)));
}
