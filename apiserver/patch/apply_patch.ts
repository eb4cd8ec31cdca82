/**
 * The body of a server-side apply request (`application/apply-patch+yaml`):
 * a YAML (or JSON) object whose apiVersion and kind name the request's kind.
 *
 * kubectl, helm and the controllers send JSON in that media type. YAML 1.2
 * is a superset of JSON (the same text is the same value), so text that
 * `JSON.parse` accepts is decoded by it — several times cheaper than the
 * YAML parser, which is not even loaded then — and anything else (YAML,
 * or broken JSON, whose error is worded by the YAML parser as before) goes
 * through the YAML parser. The limits are checked the same way either way.
 *
 * @module
 */

import { yaml } from "../../internal/lazy_npm.ts";
import { badRequestError } from "../status/mod.ts";
import { MAX_YAML_ALIAS_COUNT } from "../http/body.ts";
import { checkValueLimits, checkYamlFlowDepth } from "../http/decode_limits.ts";
import {
  duplicateFields,
  duplicateFieldsYaml,
  type YamlDuplicate,
} from "../schema/mod.ts";

/**
 * Parses an apply configuration (400 `error decoding YAML: …` when it is not
 * YAML, or not an object) and checks its type meta against the request's
 * (400 with upstream's messages).
 */
export function parseApplyPatch(
  text: string,
  want: { apiVersion: string; kind: string },
): Record<string, unknown> {
  checkYamlFlowDepth(text);
  let value = parseJsonObject(text);
  if (value === undefined) {
    try {
      // Repeated keys: the last wins (as yaml.v2, and as JSON.parse);
      // fieldValidation judges them.
      value = yaml().parse(text, {
        uniqueKeys: false,
        maxAliasCount: MAX_YAML_ALIAS_COUNT,
      });
    } catch (e) {
      throw badRequestError(
        `error decoding YAML: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw badRequestError(
      "error decoding YAML: the applied configuration must be an object",
    );
  }
  checkValueLimits(value, "YAML");
  const obj = value as Record<string, unknown>;
  const version = typeof obj.apiVersion === "string" ? obj.apiVersion : "";
  if (version !== want.apiVersion) {
    throw badRequestError(
      `Incorrect version specified in apply patch. Specified patch version: ${version}, expected: ${want.apiVersion}`,
    );
  }
  if (obj.kind !== want.kind) {
    throw badRequestError(
      `apply patch kind ${JSON.stringify(obj.kind ?? "")} does not match ` +
        `the kind of the request ${JSON.stringify(want.kind)}`,
    );
  }
  return obj;
}

/**
 * The repeated keys of an apply body, with their lines (for
 * `fieldValidation`). A JSON body is scanned by the JSON scanner first:
 * nearly every body has no repeats, and then the YAML parse is skipped;
 * one that has repeats is walked by the YAML parser for their lines.
 */
export function applyPatchDuplicates(text: string): YamlDuplicate[] {
  if (isJsonObjectText(text)) {
    try {
      if (duplicateFields(text).length === 0) return [];
    } catch {
      // Not JSON after all: the YAML walk below decides.
    }
  }
  return duplicateFieldsYaml(text);
}

/** True when `text` starts (after whitespace) like a JSON object. */
function isJsonObjectText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // JSON's whitespace: space, tab, line feed, carriage return.
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b; // {
  }
  return false;
}

/** The value of a JSON object text, or `undefined` when it is not JSON. */
function parseJsonObject(text: string): unknown {
  if (!isJsonObjectText(text)) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
