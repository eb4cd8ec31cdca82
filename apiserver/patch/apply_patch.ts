/**
 * The body of a server-side apply request (`application/apply-patch+yaml`):
 * a YAML (or JSON) object whose apiVersion and kind name the request's kind.
 *
 * @module
 */

import { yaml } from "../../internal/lazy_npm.ts";
import { badRequestError } from "../status/mod.ts";
import { MAX_YAML_ALIAS_COUNT } from "../http/body.ts";
import { checkValueLimits, checkYamlFlowDepth } from "../http/decode_limits.ts";

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
  let value: unknown;
  try {
    // Repeated keys: the last wins (as yaml.v2); fieldValidation judges them.
    value = yaml().parse(text, {
      uniqueKeys: false,
      maxAliasCount: MAX_YAML_ALIAS_COUNT,
    });
  } catch (e) {
    throw badRequestError(
      `error decoding YAML: ${e instanceof Error ? e.message : String(e)}`,
    );
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
