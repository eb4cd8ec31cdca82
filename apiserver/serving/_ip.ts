/**
 * IP address recognition and canonical forms, used to sort `--tls-san`
 * values into IP and DNS SANs and to compare SAN sets across restarts.
 *
 * @module
 */

function canonicalV4(s: string): string | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    nums.push(n);
  }
  return nums.join(".");
}

function canonicalV6(s: string): string | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return undefined;
  let groups: string[];
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const split = (h: string) => (h === "" ? [] : h.split(":"));
  const expandTail = (gs: string[]): string[] | undefined => {
    const last = gs.at(-1);
    if (last === undefined || !last.includes(".")) return gs;
    const v4 = canonicalV4(last);
    if (!v4) return undefined;
    const [a, b, c, d] = v4.split(".").map(Number);
    return [
      ...gs.slice(0, -1),
      ((a << 8) | b).toString(16),
      ((c << 8) | d).toString(16),
    ];
  };
  if (halves.length === 2) {
    const head = split(halves[0]);
    const tail = expandTail(split(halves[1]));
    if (!tail) return undefined;
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return undefined;
    groups = [...head, ...Array(fill).fill("0"), ...tail];
  } else {
    const all = expandTail(split(s));
    if (!all) return undefined;
    groups = all;
  }
  if (groups.length !== 8) return undefined;
  const out: string[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16).toString(16));
  }
  return out.join(":");
}

/**
 * The canonical form of an IPv4 or IPv6 address (IPv6 fully expanded,
 * lower-case, brackets allowed), or `undefined` when `s` is not an IP.
 */
export function canonicalIp(s: string): string | undefined {
  const bare = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  return canonicalV4(bare) ?? canonicalV6(bare);
}

const DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_NAME = new RegExp(`^(\\*\\.)?${DNS_LABEL}(\\.${DNS_LABEL})*$`, "i");

/**
 * True when `s` is a DNS name acceptable as a SAN (a leading `*.` allowed).
 * An all-numeric last label is refused: it is a mistyped IP, not a name.
 */
export function isDnsName(s: string): boolean {
  return s.length <= 253 && DNS_NAME.test(s) && !/(^|\.)\d+$/.test(s);
}
