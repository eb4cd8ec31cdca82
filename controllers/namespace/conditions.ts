/**
 * The namespace deletion conditions, with upstream's types, reasons and
 * messages (`pkg/controller/namespace/deletion`).
 *
 * @module
 */

/** One `NamespaceCondition`. */
export interface NamespaceCondition {
  type: string;
  status: "True" | "False";
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

/** What one deletion pass found. */
export interface DeletionProgress {
  /** Group-versions discovery could not read. */
  discoveryFailures: string[];
  /** Resources whose content could not be deleted, with the error. */
  contentFailures: string[];
  /** Remaining object count per resource (`configmaps`, `widgets.example.com`). */
  remaining: Map<string, number>;
  /** Remaining objects per finalizer name. */
  finalizers: Map<string, number>;
}

function describe(counts: Map<string, number>): string {
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) =>
    `${k} has ${n} resource instances`
  ).join(", ");
}

function describeFinalizers(counts: Map<string, number>): string {
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) =>
    `${k} in ${n} resource instances`
  ).join(", ");
}

/** The five conditions upstream reports for a pass. */
export function deletionConditions(p: DeletionProgress): NamespaceCondition[] {
  const cond = (
    type: string,
    on: boolean,
    yes: [string, string],
    no: [string, string],
  ): NamespaceCondition => ({
    type,
    status: on ? "True" : "False",
    reason: on ? yes[0] : no[0],
    message: on ? yes[1] : no[1],
  });
  return [
    cond(
      "NamespaceDeletionDiscoveryFailure",
      p.discoveryFailures.length > 0,
      [
        "DiscoveryFailed",
        `Discovery failed for some groups, ${p.discoveryFailures.length} failing: ${
          p.discoveryFailures.join(", ")
        }`,
      ],
      ["ResourcesDiscovered", "All resources successfully discovered"],
    ),
    cond("NamespaceDeletionGroupVersionParsingFailure", false, ["", ""], [
      "ParsedGroupVersions",
      "All legacy kube types successfully parsed",
    ]),
    cond(
      "NamespaceDeletionContentFailure",
      p.contentFailures.length > 0,
      [
        "ContentDeletionFailed",
        `Failed to delete all resource types, ${p.contentFailures.length} remaining: ${
          p.contentFailures.join(", ")
        }`,
      ],
      [
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
      ],
    ),
    cond(
      "NamespaceContentRemaining",
      p.remaining.size > 0,
      [
        "SomeResourcesRemain",
        `Some resources are remaining: ${describe(p.remaining)}`,
      ],
      ["ContentRemoved", "All content successfully removed"],
    ),
    cond(
      "NamespaceFinalizersRemaining",
      p.finalizers.size > 0,
      [
        "SomeFinalizersRemain",
        `Some content in the namespace has finalizers remaining: ${
          describeFinalizers(p.finalizers)
        }`,
      ],
      ["ContentHasNoFinalizers", "All content-preserving finalizers finished"],
    ),
  ];
}

/**
 * Merges `next` into the namespace's current conditions, keeping
 * `lastTransitionTime` when a condition's status did not change. Returns
 * `undefined` when nothing changed.
 */
export function mergeConditions(
  current: NamespaceCondition[],
  next: NamespaceCondition[],
  now: string,
): NamespaceCondition[] | undefined {
  let changed = false;
  const byType = new Map(current.map((c) => [c.type, c]));
  for (const c of next) {
    const old = byType.get(c.type);
    if (
      old && old.status === c.status && old.reason === c.reason &&
      old.message === c.message
    ) {
      continue;
    }
    changed = true;
    byType.set(c.type, {
      ...c,
      lastTransitionTime: old && old.status === c.status
        ? old.lastTransitionTime ?? now
        : now,
    });
  }
  return changed ? [...byType.values()] : undefined;
}
