/**
 * The timestamps Go clients can read back. `metav1.Time` decodes with Go's
 * `time.Parse(time.RFC3339, s)` and `metav1.MicroTime` with
 * `time.Parse("2006-01-02T15:04:05.000000Z07:00", s)` (exactly six
 * fractional digits), so a value either refuses is one no Go client can
 * decode: kube-apiserver refuses it when the request is decoded, and so must
 * we, or one stored Event or Lease would break every Go client that lists
 * them. These functions follow Go's parser closely enough to give the same
 * error messages (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot
 * parse "x" as "2006"`).
 *
 * @module
 */

/** Go's `time.RFC3339`, the layout of `metav1.Time`. */
export const GO_RFC3339 = "2006-01-02T15:04:05Z07:00";
/** `metav1.RFC3339Micro`, the layout of `metav1.MicroTime`. */
export const GO_RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00";

/** One element of a layout: a literal or a field. */
type Element =
  | { literal: string }
  | {
    field:
      | "year"
      | "month"
      | "day"
      | "hour"
      | "minute"
      | "second"
      | "frac6"
      | "zone";
    text: string;
  };

const COMMON: Element[] = [
  { field: "year", text: "2006" },
  { literal: "-" },
  { field: "month", text: "01" },
  { literal: "-" },
  { field: "day", text: "02" },
  { literal: "T" },
  { field: "hour", text: "15" },
  { literal: ":" },
  { field: "minute", text: "04" },
  { literal: ":" },
  { field: "second", text: "05" },
];
const RFC3339: Element[] = [...COMMON, { field: "zone", text: "Z07:00" }];
const RFC3339_MICRO: Element[] = [
  ...COMMON,
  { field: "frac6", text: ".000000" },
  { field: "zone", text: "Z07:00" },
];

const isDigit = (s: string, i: number) =>
  i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** Go's `getnum`: one or two digits (`fixed`: exactly two). */
function getnum(
  s: string,
  fixed: boolean,
): { n: number; rest: string } | undefined {
  if (!isDigit(s, 0)) return undefined;
  if (!isDigit(s, 1)) {
    return fixed ? undefined : { n: Number(s[0]), rest: s.slice(1) };
  }
  return { n: Number(s.slice(0, 2)), rest: s.slice(2) };
}

/** Go's `atoi` on a short field: an optional sign, then digits only. */
function atoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

/** Go's `time` package quoting of a value in an error message. */
function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (c >= 0x20 && c < 0x80) out += ch;
    else {
      // Go writes every UTF-8 byte of a non-printable-ASCII rune as \xNN.
      for (const b of new TextEncoder().encode(ch)) {
        out += "\\x" + b.toString(16).padStart(2, "0");
      }
    }
  }
  return out + '"';
}

function daysIn(month: number, year: number): number {
  if (month === 2) {
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return leap ? 29 : 28;
  }
  return [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/**
 * Go's `time.Parse` error for `value` in `layout` ({@linkcode GO_RFC3339}
 * or {@linkcode GO_RFC3339_MICRO}), or `undefined` when Go parses it.
 *
 * @example
 * ```ts
 * goTimeParseError("2024-01-02T03:04:05Z", GO_RFC3339); // undefined
 * goTimeParseError("bad", GO_RFC3339);
 * // 'parsing time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"'
 * goTimeParseError("2024-01-02T03:04:05Z", GO_RFC3339_MICRO);
 * // 'parsing time "2024-01-02T03:04:05Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'
 * ```
 */
export function goTimeParseError(
  value: string,
  layout: typeof GO_RFC3339 | typeof GO_RFC3339_MICRO,
): string | undefined {
  const elements = layout === GO_RFC3339 ? RFC3339 : RFC3339_MICRO;
  const cannot = (rest: string, elem: string) =>
    `parsing time ${quote(value)} as ${quote(layout)}: cannot parse ${
      quote(rest)
    } as ${quote(elem)}`;
  const outOfRange = (what: string) =>
    `parsing time ${quote(value)}: ${what} out of range`;
  let rest = value;
  let year = 0;
  let month = 0;
  let day = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    if ("literal" in e) {
      if (!rest.startsWith(e.literal)) return cannot(rest, e.literal);
      rest = rest.slice(e.literal.length);
      continue;
    }
    const hold = rest;
    switch (e.field) {
      case "year": {
        const n = rest.length < 4 ? undefined : atoi(rest.slice(0, 4));
        if (n === undefined) return cannot(hold, e.text);
        year = n;
        rest = rest.slice(4);
        break;
      }
      case "month": {
        const got = getnum(rest, true);
        if (!got) return cannot(hold, e.text);
        if (got.n <= 0 || got.n > 12) return outOfRange("month");
        month = got.n;
        rest = got.rest;
        break;
      }
      case "day": {
        // Any one or two digits; checked against the month at the end.
        const got = getnum(rest, true);
        if (!got) return cannot(hold, e.text);
        day = got.n;
        rest = got.rest;
        break;
      }
      case "hour": {
        const got = getnum(rest, false);
        if (!got) return cannot(hold, e.text);
        if (got.n >= 24) return outOfRange("hour");
        rest = got.rest;
        break;
      }
      case "minute":
      case "second": {
        const got = getnum(rest, true);
        if (!got) return cannot(hold, e.text);
        if (got.n >= 60) return outOfRange(e.field);
        rest = got.rest;
        // A fraction RFC 3339's layout does not name is still read (any
        // length); the micro layout reads its own six digits next.
        if (
          e.field === "second" && layout === GO_RFC3339 &&
          rest.length >= 2 && (rest[0] === "." || rest[0] === ",") &&
          isDigit(rest, 1)
        ) {
          let n = 2;
          while (isDigit(rest, n)) n++;
          rest = rest.slice(n);
        }
        break;
      }
      case "frac6": {
        const ns = rest.length < 7 || (rest[0] !== "." && rest[0] !== ",")
          ? undefined
          : atoi(rest.slice(1, 7));
        if (ns === undefined) return cannot(hold, e.text);
        if (ns < 0) return outOfRange("fractional second");
        rest = rest.slice(7);
        break;
      }
      case "zone": {
        if (rest.startsWith("Z")) {
          rest = rest.slice(1);
          break;
        }
        if (rest.length < 6 || rest[3] !== ":") return cannot(hold, e.text);
        const hh = getnum(rest.slice(1, 3), true);
        const mm = hh && getnum(rest.slice(4, 6), true);
        // As Go: a range error wins over a bad sign or digits.
        if (mm && mm.n > 60) return outOfRange("time zone offset minute");
        if (hh && hh.n > 24) return outOfRange("time zone offset hour");
        if (!mm || (rest[0] !== "+" && rest[0] !== "-")) {
          return cannot(hold, e.text);
        }
        rest = rest.slice(6);
        break;
      }
    }
  }
  if (rest.length > 0) {
    return `parsing time ${quote(value)}: extra text: ${quote(rest)}`;
  }
  if (day < 1 || day > daysIn(month, year)) return outOfRange("day");
  return undefined;
}
