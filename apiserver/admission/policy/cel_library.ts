/**
 * The parts of Kubernetes' CEL libraries that policies use most and cel-js
 * lacks: the strings extension's `replace` and `charAt`, the regex library's
 * `find`/`findAll`, and the lists library's `sum`, `min`, `max`,
 * `isSorted`, `indexOf`, `lastIndexOf` (`k8s.io/apiserver/pkg/cel/library`).
 * Regular expressions are JavaScript's (upstream: RE2).
 *
 * @module
 */

import type { Environment } from "@marcbachmann/cel-js";

type Scalar = bigint | number | string | boolean;

function compare(a: Scalar, b: Scalar): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function extreme(l: Scalar[], sign: 1 | -1, name: string): Scalar {
  if (l.length === 0) throw new Error(`${name} called on empty list`);
  return l.reduce((m, x) => compare(x, m) * sign > 0 ? x : m);
}

function replace(s: string, from: string, to: string, n: number): string {
  if (n < 0) return s.split(from).join(to);
  let out = "";
  let rest = s;
  for (let i = 0; i < n; i++) {
    const at = rest.indexOf(from);
    if (at < 0) break;
    out += rest.slice(0, at) + to;
    rest = rest.slice(at + from.length);
    if (from === "") {
      out += rest.slice(0, 1);
      rest = rest.slice(1);
    }
  }
  return out + rest;
}

/** Registers the functions on `env` (before it is used). */
export function registerKubernetesLibrary(env: Environment): void {
  env
    .registerFunction(
      "string.replace(string, string): string",
      (s: string, a: string, b: string) => replace(s, a, b, -1),
    )
    .registerFunction(
      "string.replace(string, string, int): string",
      (s: string, a: string, b: string, n: bigint) =>
        replace(s, a, b, Number(n)),
    )
    .registerFunction(
      "string.charAt(int): string",
      (s: string, i: bigint) => {
        const n = Number(i);
        if (n < 0 || n > s.length) throw new Error("index out of range");
        return s.charAt(n);
      },
    )
    .registerFunction(
      "string.find(string): string",
      (s: string, re: string) => new RegExp(re).exec(s)?.[0] ?? "",
    )
    .registerFunction(
      "string.findAll(string): list<string>",
      (s: string, re: string) =>
        [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]),
    )
    .registerFunction(
      "string.findAll(string, int): list<string>",
      (s: string, re: string, n: bigint) => {
        const all = [...s.matchAll(new RegExp(re, "g"))].map((m) => m[0]);
        return n < 0n ? all : all.slice(0, Number(n));
      },
    )
    .registerFunction(
      "list.sum(): dyn",
      (l: Scalar[]) =>
        l.reduce(
          (a, b) => (a as number) + (b as number),
          (typeof l[0] === "number" ? 0 : 0n) as Scalar,
        ),
    )
    .registerFunction("list.min(): dyn", (l: Scalar[]) => extreme(l, -1, "min"))
    .registerFunction("list.max(): dyn", (l: Scalar[]) => extreme(l, 1, "max"))
    .registerFunction(
      "list.isSorted(): bool",
      (l: Scalar[]) => l.every((x, i) => i === 0 || compare(l[i - 1], x) <= 0),
    )
    .registerFunction(
      "list.indexOf(dyn): int",
      (l: unknown[], v: unknown) => BigInt(l.indexOf(v)),
    )
    .registerFunction(
      "list.lastIndexOf(dyn): int",
      (l: unknown[], v: unknown) => BigInt(l.lastIndexOf(v)),
    );
}
