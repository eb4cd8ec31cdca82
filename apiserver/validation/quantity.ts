/**
 * Kubernetes quantities (`k8s.io/apimachinery/pkg/api/resource.Quantity`):
 * `2`, `500m`, `1.5Gi`, `1e3`. Values are exact: held as a `bigint` count of
 * nano units, rounded up (away from zero) to nano precision as upstream
 * does when parsing; the canonical form (`String()` upstream) is what the
 * API shows, so `1000m` is stored and served as `1`.
 *
 * @example
 * ```ts
 * const q = parseQuantity("1536Mi");
 * formatQuantity(q); // "1536Mi"
 * compareQuantities(parseQuantity("1k"), parseQuantity("1000")); // 0
 * ```
 *
 * @module
 */

/** How a quantity prints (upstream's `Format`). */
export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

/** A parsed quantity: its value in nano units and its format. */
export interface Quantity {
  readonly nano: bigint;
  readonly format: QuantityFormat;
}

/** Upstream's `ErrFormatWrong`. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/** Upstream's `ErrNumeric`. */
export const QUANTITY_NUMERIC_ERROR =
  "unable to parse numeric part of quantity";
/** Upstream's `ErrSuffix`. */
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";

/** A string that is not a quantity; the message is upstream's. */
export class QuantityError extends Error {}

const NANO = 1_000_000_000n;
const SHAPE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  "": 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
/** Exponents beyond this are refused (upstream's decimal path has no bound; ours keeps bigints small). */
const MAX_EXPONENT = 1000;

/** The zero quantity. */
export const ZERO_QUANTITY: Quantity = Object.freeze({
  nano: 0n,
  format: "DecimalSI",
});

function pow(base: bigint, exp: number): bigint {
  return base ** BigInt(exp);
}

/** Parses `s`; throws {@linkcode QuantityError} with upstream's message. */
export function parseQuantity(s: string): Quantity {
  const m = SHAPE.exec(s);
  if (!s || !m) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  let num = m[1];
  const suffix = m[2];
  let negative = false;
  if (num[0] === "+" || num[0] === "-") {
    negative = num[0] === "-";
    num = num.slice(1);
  }
  const parts = num.split(".");
  if (parts.length > 2 || (parts[0] === "" && (parts[1] ?? "") === "")) {
    throw new QuantityError(QUANTITY_NUMERIC_ERROR);
  }
  const whole = parts[0];
  const frac = parts[1] ?? "";
  // value = digits / 10^frac.length × multiplier
  let numerator = BigInt((whole + frac) || "0");
  let denominator = pow(10n, frac.length);
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    format = "DecimalSI";
    const e = DECIMAL_SUFFIXES[suffix];
    if (e >= 0) numerator *= pow(10n, e);
    else denominator *= pow(10n, -e);
  } else if (BINARY_SUFFIXES.includes(suffix)) {
    format = "BinarySI";
    numerator *= pow(1024n, BINARY_SUFFIXES.indexOf(suffix));
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = "DecimalExponent";
    const e = Number(suffix.slice(1));
    if (Math.abs(e) > MAX_EXPONENT) {
      throw new QuantityError(QUANTITY_NUMERIC_ERROR);
    }
    if (e >= 0) numerator *= pow(10n, e);
    else denominator *= pow(10n, -e);
  } else {
    throw new QuantityError(QUANTITY_SUFFIX_ERROR);
  }
  const scaled = numerator * NANO;
  // Finer than nano rounds up, away from zero (upstream's RoundUp).
  let nano = scaled / denominator;
  if (scaled % denominator !== 0n) nano += 1n;
  return { nano: negative ? -nano : nano, format };
}

/** True when `s` parses as a quantity. */
export function isQuantity(s: unknown): s is string {
  if (typeof s !== "string") return false;
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

/** The canonical form, as upstream's `Quantity.String()`. */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return "0";
  const sign = q.nano < 0n ? "-" : "";
  const abs = q.nano < 0n ? -q.nano : q.nano;
  let format = q.format;
  if (format === "BinarySI") {
    // Small or fractional values would lose precision in base 1024.
    if (abs < 1024n * NANO || abs % NANO !== 0n) format = "DecimalSI";
    else {
      let mantissa = abs / NANO;
      let exp = 0;
      while (mantissa % 1024n === 0n && exp < BINARY_SUFFIXES.length - 1) {
        mantissa /= 1024n;
        exp++;
      }
      return `${sign}${mantissa}${BINARY_SUFFIXES[exp]}`;
    }
  }
  let mantissa = abs;
  let exp = -9;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp++;
  }
  while (((exp % 3) + 3) % 3 !== 0) {
    mantissa *= 10n;
    exp--;
  }
  if (format === "DecimalExponent") {
    return `${sign}${mantissa}${exp === 0 ? "" : `e${exp}`}`;
  }
  if (exp > 18) {
    mantissa *= pow(10n, exp - 18);
    exp = 18;
  }
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, e]) => e === exp)!;
  return `${sign}${mantissa}${suffix[0]}`;
}

/** `a + b`, in `a`'s format (upstream's `Quantity.Add`). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano + b.nano, format: a.format };
}

/** `a - b`, in `a`'s format. */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nano: a.nano - b.nano, format: a.format };
}

/** Negative, zero or positive as `a` is less than, equal to or more than `b`. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0;
}

/** A whole count as a quantity (`2` → `"2"`). */
export function quantityOf(count: number | bigint): Quantity {
  return { nano: BigInt(count) * NANO, format: "DecimalSI" };
}

/** True when `q` is a whole number (upstream: `MilliValue() % 1000 == 0`). */
export function isWholeQuantity(q: Quantity): boolean {
  // MilliValue rounds up to milli units first.
  const milli = q.nano / 1_000_000n +
    (q.nano % 1_000_000n > 0n ? 1n : 0n);
  return milli % 1000n === 0n;
}

/** `s` in canonical form, or `s` itself when it is not a quantity. */
export function canonicalQuantity(s: string): string {
  try {
    return formatQuantity(parseQuantity(s));
  } catch {
    return s;
  }
}
