/**
 * A structured label selector (`metav1.LabelSelector`: `matchLabels` and
 * `matchExpressions`) turned into a predicate, as upstream's
 * `LabelSelectorAsSelector`. The API server's parser reads the string form
 * of query parameters; this reads the object form found inside objects, and
 * lives here because controllers reach the API server only through their
 * client.
 *
 * @example
 * ```ts
 * const matches = labelSelectorMatcher({ matchLabels: { team: "a" } });
 * matches({ team: "a", tier: "web" }); // true
 * ```
 *
 * @module
 */

/** One `matchExpressions` entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.LabelSelector`. */
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Tells whether a set of labels is selected. */
export type LabelMatcher = (
  labels: Record<string, string> | undefined,
) => boolean;

/** A selector that cannot be evaluated (unknown operator, wrong values). */
export class LabelSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabelSelectorError";
  }
}

/**
 * The predicate for `selector`: `null`/`undefined` selects nothing, an empty
 * selector selects everything (as upstream). Throws
 * {@linkcode LabelSelectorError} for a malformed requirement.
 */
export function labelSelectorMatcher(
  selector: LabelSelectorSpec | null | undefined,
): LabelMatcher {
  if (selector === null || selector === undefined) return () => false;
  const tests: LabelMatcher[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    tests.push((labels) => labels?.[key] === value);
  }
  for (const req of selector.matchExpressions ?? []) {
    tests.push(requirementMatcher(req));
  }
  return (labels) => tests.every((t) => t(labels));
}

function requirementMatcher(req: LabelSelectorRequirement): LabelMatcher {
  const { key } = req;
  const values = req.values ?? [];
  const has = (labels: Record<string, string> | undefined) =>
    labels !== undefined && Object.hasOwn(labels, key);
  switch (req.operator) {
    case "In":
    case "NotIn": {
      if (values.length === 0) {
        throw new LabelSelectorError(
          `${key}: values must be non-empty for operator ${req.operator}`,
        );
      }
      const set = new Set(values);
      return req.operator === "In"
        ? (labels) => has(labels) && set.has(labels![key])
        : (labels) => !has(labels) || !set.has(labels![key]);
    }
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        throw new LabelSelectorError(
          `${key}: values must be empty for operator ${req.operator}`,
        );
      }
      return req.operator === "Exists" ? has : (labels) => !has(labels);
    default:
      throw new LabelSelectorError(
        `${key}: ${JSON.stringify(req.operator)} is not a valid operator`,
      );
  }
}
