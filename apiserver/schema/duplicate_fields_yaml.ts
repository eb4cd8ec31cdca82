/**
 * Duplicate-field detection in a YAML body (server-side apply sends
 * `application/apply-patch+yaml`). The `yaml` package, parsing with its
 * default `uniqueKeys: true`, reports each repeat as a `DUPLICATE_KEY` error
 * ("Map keys must be unique") with a position but no field path; this module
 * parses with `uniqueKeys: false` and walks the node tree instead, so the
 * caller gets the same paths as {@linkcode duplicateFields} for JSON.
 *
 * @module
 */

import { yaml } from "../../internal/lazy_npm.ts";
import type { Node as YamlNode } from "yaml";

/** A repeated key in a YAML document: its field path and 1-based line. */
export interface YamlDuplicate {
  path: string;
  line: number;
}

/**
 * The repeated keys of the (first) YAML document in `yamlText`, in document
 * order. Syntax errors are not reported here (the decoder reports them).
 */
export function duplicateFieldsYaml(yamlText: string): YamlDuplicate[] {
  const { isMap, isScalar, isSeq, parseDocument } = yaml();
  const doc = parseDocument(yamlText, { uniqueKeys: false });
  const out: YamlDuplicate[] = [];
  const lineOf = (offset: number): number => {
    let line = 1;
    for (let i = 0; i < offset && i < yamlText.length; i++) {
      if (yamlText.charCodeAt(i) === 0x0a) line++;
    }
    return line;
  };
  const walk = (node: unknown, path: string) => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const childPath = path === "" ? key : `${path}.${key}`;
        if (seen.has(key)) {
          out.push({ path: childPath, line: lineOf(keyNode?.range?.[0] ?? 0) });
        } else {
          seen.add(key);
        }
        walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    }
  };
  walk(doc.contents, "");
  return out;
}
