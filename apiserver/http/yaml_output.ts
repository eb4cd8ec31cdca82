/**
 * YAML answers as kube-apiserver writes them: its YAML serializer encodes
 * JSON and converts that with `sigs.k8s.io/yaml`'s `JSONToYAML`
 * (go-yaml v2), so map keys come out sorted in go-yaml's natural order
 * (digit runs compared as numbers), sequences are not indented under their
 * key, multi-line strings are literal blocks and strings YAML 1.1 would
 * read as something else (`"yes"`, `"on"`, `"12"`) are double-quoted. The
 * `yaml` package writes it (loaded with `loadYaml()` first).
 *
 * @module
 */

import { yaml } from "../../internal/lazy_npm.ts";

/**
 * The YAML document of the JSON value `text`.
 *
 * @example
 * ```ts
 * yamlOfJson('{"kind":"List","items":[{"b":"on","a":1}]}');
 * // 'items:\n- a: 1\n  b: "on"\nkind: List\n'
 * ```
 */
export function yamlOfJson(text: string): string {
  const y = yaml();
  const key = (k: unknown) => String(y.isScalar(k) ? k.value : k);
  return y.stringify(JSON.parse(text), {
    version: "1.1",
    indentSeq: false,
    blockQuote: "literal",
    aliasDuplicateObjects: false,
    sortMapEntries: (a, b) => compareYamlKeys(key(a.key), key(b.key)),
  });
}

/**
 * go-yaml v2's order of two string map keys: at the first differing
 * character two letters compare by code point; a letter and a non-letter
 * put the non-letter first, unless the characters before were digits (then
 * the letter); two non-letters compare the digit runs starting there as
 * numbers (a run after non-zero digits counts from 1, so leading zeros
 * matter only at a run's start), then by run length, then by code point. A
 * prefix sorts first.
 */
export function compareYamlKeys(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : keyLess(b, a) ? 1 : 0;
}

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

function keyLess(a: string, b: string): boolean {
  const ar = Array.from(a);
  const br = Array.from(b);
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) {
      digits = DIGIT.test(ar[i]);
      continue;
    }
    const al = LETTER.test(ar[i]);
    const bl = LETTER.test(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return digits ? al : bl;
    let an = 0;
    let bn = 0;
    if (ar[i] === "0" || br[i] === "0") {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]); j--) {
        if (ar[j] !== "0") {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]); ai++) {
      an = an * 10 + (ar[ai].codePointAt(0)! - 0x30);
    }
    let bi = i;
    for (; bi < br.length && DIGIT.test(br[bi]); bi++) {
      bn = bn * 10 + (br[bi].codePointAt(0)! - 0x30);
    }
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}
