/**
 * Parses and checks upstream's `EncryptionConfiguration`
 * (`apiserver.config.k8s.io/v1`, the file `--encryption-provider-config`
 * names) into provider lists per resource rule. Every problem is reported at
 * once, one line each, with the field path upstream's validation uses.
 *
 * @example
 * ```ts
 * const config = parseEncryptionConfig(`
 * apiVersion: apiserver.config.k8s.io/v1
 * kind: EncryptionConfiguration
 * resources:
 *   - resources: [secrets]
 *     providers:
 *       - aesgcm: {keys: [{name: key1, secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/}]}
 *       - identity: {}
 * `);
 * ```
 *
 * @module
 */

import { yaml } from "../../internal/lazy_npm.ts";
import { Buffer } from "node:buffer";

/** The provider kinds hyperplane implements (KMS is not one of them). */
export type ProviderKind = "aesgcm" | "aescbc" | "secretbox" | "identity";

/** One key of an encrypting provider. */
export interface ProviderKey {
  name: string;
  /** The decoded key bytes. */
  secret: Uint8Array;
}

/** One entry of a rule's `providers` list. */
export type ProviderConfig =
  | { kind: "identity" }
  | { kind: "aesgcm" | "aescbc" | "secretbox"; keys: ProviderKey[] };

/** One entry of `resources`: which resources, and their providers in order. */
export interface ResourceRule {
  /** As written: `secrets`, `widgets.example.com`, `*.apps`, `*.`, `*.*`. */
  resources: string[];
  providers: ProviderConfig[];
}

/** A checked `EncryptionConfiguration`. */
export interface EncryptionConfig {
  rules: ResourceRule[];
}

/** The file's content is unusable; `problems` lists every reason. */
export class EncryptionConfigError extends Error {
  /** One line per problem. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid EncryptionConfiguration: ${problems.join("; ")}`);
    this.name = "EncryptionConfigError";
    this.problems = problems;
  }
}

const API_VERSIONS = ["apiserver.config.k8s.io/v1"];
const KIND = "EncryptionConfiguration";
const KEY_SIZES: Record<string, readonly number[]> = {
  aesgcm: [16, 24, 32],
  aescbc: [16, 24, 32],
  secretbox: [32],
};
const KNOWN = ["aesgcm", "aescbc", "secretbox", "identity", "kms"];
const RESOURCE_NAME =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Reads `text` (YAML or JSON) as an `EncryptionConfiguration`. */
export function parseEncryptionConfig(text: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (err) {
    throw new EncryptionConfigError([
      `not YAML: ${(err as Error).message.split("\n")[0]}`,
    ]);
  }
  const problems: string[] = [];
  if (!isRecord(doc)) throw new EncryptionConfigError(["not an object"]);
  if (doc.kind !== KIND) {
    problems.push(`kind: must be ${KIND}, got ${JSON.stringify(doc.kind)}`);
  }
  if (!API_VERSIONS.includes(String(doc.apiVersion))) {
    problems.push(
      `apiVersion: must be ${API_VERSIONS[0]}, got ${
        JSON.stringify(doc.apiVersion)
      }`,
    );
  }
  const rules: ResourceRule[] = [];
  if (!Array.isArray(doc.resources) || doc.resources.length === 0) {
    problems.push("resources: Required value: at least one rule is required");
  } else {
    doc.resources.forEach((r, i) => {
      const rule = parseRule(r, `resources[${i}]`, problems);
      if (rule) rules.push(rule);
    });
    checkMasking(rules, problems);
  }
  if (problems.length) throw new EncryptionConfigError(problems);
  return { rules };
}

function parseRule(
  raw: unknown,
  path: string,
  problems: string[],
): ResourceRule | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: must be an object`);
    return undefined;
  }
  const resources: string[] = [];
  if (!Array.isArray(raw.resources) || raw.resources.length === 0) {
    problems.push(`${path}.resources: Required value: at least one resource`);
  } else {
    raw.resources.forEach((name, j) => {
      const where = `${path}.resources[${j}]`;
      if (typeof name !== "string" || !validResourceName(name)) {
        problems.push(
          `${where}: Invalid value: ${
            JSON.stringify(name)
          }: must be a lower-case resource name (resource or resource.group), "*.group", "*." or "*.*"`,
        );
      } else if (resources.includes(name)) {
        problems.push(`${where}: Duplicate value: ${JSON.stringify(name)}`);
      } else resources.push(name);
    });
  }
  const providers: ProviderConfig[] = [];
  if (!Array.isArray(raw.providers) || raw.providers.length === 0) {
    problems.push(`${path}.providers: Required value: at least one provider`);
  } else {
    raw.providers.forEach((p, j) => {
      const provider = parseProvider(p, `${path}.providers[${j}]`, problems);
      if (provider) providers.push(provider);
    });
    const names = new Set<string>();
    for (const p of providers) {
      if (p.kind === "identity") continue;
      for (const k of p.keys) {
        const id = `${p.kind}:${k.name}`;
        if (names.has(id)) {
          problems.push(
            `${path}.providers: Duplicate value: key name ${
              JSON.stringify(k.name)
            } of ${p.kind} appears twice`,
          );
        }
        names.add(id);
      }
    }
  }
  return { resources, providers };
}

function validResourceName(name: string): boolean {
  if (name === "*.*" || name === "*.") return true;
  if (name.startsWith("*.")) return RESOURCE_NAME.test(name.slice(2));
  return RESOURCE_NAME.test(name);
}

function parseProvider(
  raw: unknown,
  path: string,
  problems: string[],
): ProviderConfig | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: must be an object`);
    return undefined;
  }
  const kinds = Object.keys(raw).filter((k) => raw[k] != null);
  if (kinds.length !== 1) {
    problems.push(
      kinds.length === 0
        ? `${path}: Required value: provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity`
        : `${path}: Invalid value: more than one provider specified in a single element, should split into different list elements`,
    );
    return undefined;
  }
  const kind = kinds[0];
  if (!KNOWN.includes(kind)) {
    problems.push(`${path}.${kind}: Unsupported value: unknown provider`);
    return undefined;
  }
  if (kind === "kms") {
    problems.push(
      `${path}.kms: Unsupported value: KMS providers need a KMS plugin, which hyperplane does not run; use aesgcm, aescbc or secretbox`,
    );
    return undefined;
  }
  if (kind === "identity") return { kind: "identity" };
  const body = raw[kind];
  const keysPath = `${path}.${kind}.keys`;
  if (
    !isRecord(body) || !Array.isArray(body.keys) || body.keys.length === 0
  ) {
    problems.push(`${keysPath}: Required value: at least one key is required`);
    return undefined;
  }
  const keys: ProviderKey[] = [];
  body.keys.forEach((k: unknown, i: number) => {
    const key = parseKey(k, `${keysPath}[${i}]`, KEY_SIZES[kind], problems);
    if (key) keys.push(key);
  });
  return { kind: kind as "aesgcm" | "aescbc" | "secretbox", keys };
}

function parseKey(
  raw: unknown,
  path: string,
  sizes: readonly number[],
  problems: string[],
): ProviderKey | undefined {
  if (!isRecord(raw)) {
    problems.push(`${path}: must be an object with name and secret`);
    return undefined;
  }
  const name = raw.name;
  let ok = true;
  if (typeof name !== "string" || name === "") {
    problems.push(`${path}.name: Required value: key name is required`);
    ok = false;
  } else if (name.includes(":")) {
    problems.push(
      `${path}.name: Invalid value: ${
        JSON.stringify(name)
      }: a key name cannot contain ":"`,
    );
    ok = false;
  }
  const secret = raw.secret;
  let bytes: Uint8Array | undefined;
  if (typeof secret !== "string" || secret === "") {
    problems.push(`${path}.secret: Required value: key material is required`);
    ok = false;
  } else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secret) || secret.length % 4) {
    problems.push(
      `${path}.secret: Invalid value: "REDACTED": secrets must be base64 encoded`,
    );
    ok = false;
  } else {
    bytes = new Uint8Array(Buffer.from(secret, "base64"));
    if (!sizes.includes(bytes.length)) {
      problems.push(
        `${path}.secret: Invalid value: "REDACTED": secret is not of the expected length, got ${bytes.length}, expected one of ${
          JSON.stringify(sizes)
        }`,
      );
      ok = false;
    }
  }
  return ok ? { name: name as string, secret: bytes! } : undefined;
}

/** The label `<resource>[.<group>]` of a resource, as rules name it. */
export function resourceLabel(ref: { group?: string; resource: string }) {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

/** True when the rule entry `pattern` covers `resource` (group may be ""). */
export function matchesResource(
  pattern: string,
  resource: string,
  group: string,
): boolean {
  if (pattern === "*.*") return true;
  if (pattern.startsWith("*.")) return pattern.slice(2) === group;
  return pattern === (group ? `${resource}.${group}` : resource);
}

/** Upstream refuses an entry that an earlier wildcard already covers. */
function checkMasking(rules: ResourceRule[], problems: string[]): void {
  const seen: string[] = [];
  rules.forEach((rule, i) => {
    rule.resources.forEach((name, j) => {
      for (const earlier of seen) {
        if (!earlier.startsWith("*.")) {
          if (earlier === name) {
            problems.push(
              `resources[${i}].resources[${j}]: Invalid value: ${
                JSON.stringify(name)
              }: resource appears in more than one rule`,
            );
          }
          continue;
        }
        const masked = earlier === "*.*" ||
          (name.startsWith("*.")
            ? name === earlier
            : earlier.slice(2) === groupOf(name));
        if (masked) {
          problems.push(
            `resources[${i}].resources[${j}]: Invalid value: ${
              JSON.stringify(name)
            }: resource ${JSON.stringify(name)} is masked by earlier rule ${
              JSON.stringify(earlier)
            }`,
          );
        }
      }
      seen.push(name);
    });
  });
}

function groupOf(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1);
}
