/**
 * Which kinds a control plane serves: built-in kinds picked by resource
 * name, and the embedding program's own definitions, checked once so that
 * a typo is an error at start rather than a missing API later.
 *
 * @module
 */

import {
  BUILTIN_RESOURCES,
  type ResourceDefinition,
} from "../apiserver/mod.ts";
import type { ResourceChoice } from "./options.ts";

/** A resource choice that names no built-in kind, or a kind given twice. */
export class ResourceChoiceError extends Error {
  /** An error with `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ResourceChoiceError";
  }
}

/** `configmaps`, `roles.rbac.authorization.k8s.io`. */
export function resourceName(def: ResourceDefinition): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

/** The built-in kind `name` picks: `<plural>.<group>`, or a plural of one group only. */
function builtinNamed(name: string): ResourceDefinition {
  const exact = BUILTIN_RESOURCES.filter((d) => resourceName(d) === name);
  if (exact.length === 1) return exact[0];
  const byPlural = BUILTIN_RESOURCES.filter((d) => d.plural === name);
  if (byPlural.length === 1) return byPlural[0];
  if (byPlural.length > 1) {
    throw new ResourceChoiceError(
      `resource ${JSON.stringify(name)} is ambiguous: say ${
        byPlural.map(resourceName).join(" or ")
      }`,
    );
  }
  throw new ResourceChoiceError(
    `no built-in resource ${JSON.stringify(name)} (built-in: ${
      BUILTIN_RESOURCES.map(resourceName).join(", ")
    })`,
  );
}

/**
 * The definitions `choices` select, in the given order, `namespaces` first
 * (the server cannot run without it). Default: every built-in kind.
 *
 * @example
 * ```ts
 * import { resolveResources } from "./resources.ts";
 *
 * const defs = resolveResources(["configmaps"]);
 * // → [namespaces, configmaps]
 * ```
 */
export function resolveResources(
  choices?: readonly ResourceChoice[],
): ResourceDefinition[] {
  if (choices === undefined) return [...BUILTIN_RESOURCES];
  const defs = choices.map((c) => typeof c === "string" ? builtinNamed(c) : c);
  const seen = new Set<string>();
  for (const d of defs) {
    const key = `${d.group}/${d.version}/${d.plural}`;
    if (seen.has(key)) {
      throw new ResourceChoiceError(
        `resource ${resourceName(d)} (${d.version}) is chosen twice`,
      );
    }
    seen.add(key);
  }
  const namespaces = builtinNamed("namespaces");
  return defs.includes(namespaces) ? defs : [namespaces, ...defs];
}

/** True when some served kind is `group`/`resource`. */
export function serves(
  defs: readonly ResourceDefinition[],
  group: string,
  resource: string,
): boolean {
  return defs.some((d) => d.group === group && d.plural === resource);
}
