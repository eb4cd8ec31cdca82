/**
 * String formats checked on custom resources, after kube-openapi's
 * `strfmt` registry as used by `apiextensions-apiserver`. Unknown formats
 * (and the numeric ones, `int32`, `double`, …) are not checked, as upstream.
 *
 * @module
 */

const IPV4 =
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Built on first use: a literal with this many Unicode property classes
// costs 6–10 ms when the module loads (every server start; issue 21).
let hostnamePattern: RegExp | undefined;
const hostname = (): RegExp =>
  hostnamePattern ??=
    /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const UUID =
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID3 =
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const UUID4 =
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const UUID5 =
  /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i;
const EMAIL = /^[^\s@<>()",;:\\[\]]+@[^\s@<>()",;:\\[\]]+$/;
const MAC =
  /^([0-9a-fA-F]{2}([:-])(?:[0-9a-fA-F]{2}\2){4}[0-9a-fA-F]{2}|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const DURATION =
  /^(([0-9]+(\.[0-9]+)?\s*(ns|us|µs|ms|s|m|h|d|w))\s*)+$|^[0-9]+$/;
const BSON_OBJECT_ID = /^[0-9a-fA-F]{24}$/;
const HEX_COLOR = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const RGB_COLOR =
  /^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$/;
const SSN = /^\d{3}[- ]?\d{2}[- ]?\d{4}$/;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isIpv6(s: string): boolean {
  if (s.includes("%")) return false;
  try {
    return new URL(`http://[${s}]/`).hostname !== "";
  } catch {
    return false;
  }
}

function isCidr(s: string): boolean {
  const i = s.lastIndexOf("/");
  if (i < 0) return false;
  const ip = s.slice(0, i);
  const bits = s.slice(i + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (IPV4.test(ip)) return Number(bits) <= 32;
  return isIpv6(ip) && Number(bits) <= 128;
}

function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) &&
    d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

function isDateTime(s: string): boolean {
  const m = DATE_TIME.exec(s);
  return m !== null && isDate(`${m[1]}-${m[2]}-${m[3]}`) &&
    Number(m[4]) < 24 && Number(m[5]) < 60 && Number(m[6]) < 61;
}

function isUri(s: string): boolean {
  // Go's url.ParseRequestURI: an absolute URI or an absolute path.
  if (s.startsWith("/")) return !/\s/.test(s);
  try {
    new URL(s);
    return /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s);
  } catch {
    return false;
  }
}

function digitsWithCheck(s: string, len: number): boolean {
  const d = s.replace(/[- ]/g, "");
  if (len === 10) {
    if (!/^\d{9}[\dX]$/.test(d)) return false;
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      sum += (10 - i) * (d[i] === "X" ? 10 : Number(d[i]));
    }
    return sum % 11 === 0;
  }
  if (!/^\d{13}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += Number(d[i]) * (i % 2 ? 3 : 1);
  return sum % 10 === 0;
}

function isCreditCard(s: string): boolean {
  const d = s.replace(/[- ]/g, "");
  if (!/^\d{12,19}$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

const CHECKS: Record<string, (s: string) => boolean> = {
  bsonobjectid: (s) => BSON_OBJECT_ID.test(s),
  uri: isUri,
  email: (s) => EMAIL.test(s),
  hostname: (s) => s.length <= 255 && hostname().test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: isIpv6,
  cidr: isCidr,
  mac: (s) => MAC.test(s),
  uuid: (s) => UUID.test(s),
  uuid3: (s) => UUID3.test(s),
  uuid4: (s) => UUID4.test(s),
  uuid5: (s) => UUID5.test(s),
  isbn: (s) => digitsWithCheck(s, 10) || digitsWithCheck(s, 13),
  isbn10: (s) => digitsWithCheck(s, 10),
  isbn13: (s) => digitsWithCheck(s, 13),
  creditcard: isCreditCard,
  ssn: (s) => SSN.test(s),
  hexcolor: (s) => HEX_COLOR.test(s),
  rgbcolor: (s) => RGB_COLOR.test(s),
  byte: (s) => BASE64.test(s),
  password: () => true,
  date: isDate,
  duration: (s) => DURATION.test(s),
  datetime: isDateTime,
  "date-time": isDateTime,
};

/** Whether `format` is one upstream checks on strings. */
export function isCheckedFormat(format: string): boolean {
  return Object.hasOwn(CHECKS, format);
}

/** Whether `s` is valid for `format`; unknown formats always pass. */
export function matchesFormat(format: string, s: string): boolean {
  const check = CHECKS[format];
  return check === undefined || check(s);
}
