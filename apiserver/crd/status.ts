/**
 * CRD status, after upstream's naming, establishing and finalizing
 * controllers: `acceptedNames`, the conditions `NamesAccepted`,
 * `Established` and `Terminating`, and `storedVersions`. hyperplane serves a
 * CRD as soon as its names are accepted, so `Established` turns `True` in
 * the same step (upstream waits for its informers; there is nothing to wait
 * for here).
 *
 * ```ts
 * crd.status = computeCrdStatus(crd, { others: crdsOfCluster, now: new Date() });
 * ```
 *
 * @module
 */

import type {
  CrdCondition,
  CrdNames,
  CrdStatus,
  CustomResourceDefinition,
} from "./types.ts";
import { storageVersionOf } from "./validate_crd.ts";
import { rfc3339 } from "../../internal/time.ts";

/** Names a built-in kind of some group occupies (for conflict checks). */
export interface ServedNames {
  group: string;
  plural: string;
  singular?: string;
  shortNames?: string[];
  kind: string;
  listKind?: string;
}

/** Inputs of {@linkcode computeCrdStatus}. */
export interface CrdStatusInput {
  /** The other CRDs of the same cluster (any group; the same CRD is skipped). */
  others: CustomResourceDefinition[];
  /** Built-in kinds served in the cluster, to avoid shadowing them. */
  builtins?: ServedNames[];
  /** Timestamp for condition transitions. */
  now: Date;
}

function conditionOf(
  crd: CustomResourceDefinition,
  type: string,
): CrdCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

/** Whether the CRD's `Established` condition is `True`. */
export function isEstablished(crd: CustomResourceDefinition): boolean {
  return conditionOf(crd, "Established")?.status === "True";
}

/** Whether the CRD's `NamesAccepted` condition is `True`. */
export function namesAccepted(crd: CustomResourceDefinition): boolean {
  return conditionOf(crd, "NamesAccepted")?.status === "True";
}

function usedNames(
  crd: CustomResourceDefinition,
  input: CrdStatusInput,
): { resources: Set<string>; kinds: Set<string> } {
  const group = crd.spec.group;
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of input.others) {
    if (other.metadata.name === crd.metadata.name) continue;
    if (other.spec?.group !== group) continue;
    const n = other.status?.acceptedNames ?? {};
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) {
      if (r) resources.add(r);
    }
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  for (const b of input.builtins ?? []) {
    if (b.group !== group) continue;
    for (const r of [b.plural, b.singular, ...(b.shortNames ?? [])]) {
      if (r) resources.add(r);
    }
    kinds.add(b.kind);
    kinds.add(b.listKind ?? `${b.kind}List`);
  }
  return { resources, kinds };
}

function freshOrOurs(
  requested: string | undefined,
  accepted: string | undefined,
  used: Set<string>,
): string | undefined {
  if (requested === accepted || requested === undefined) return undefined;
  return used.has(requested) ? `"${requested}" is already in use` : undefined;
}

function withTransition(
  next: CrdCondition,
  prev: CrdCondition | undefined,
  now: Date,
): CrdCondition {
  const unchanged = prev !== undefined && prev.status === next.status;
  return {
    ...next,
    lastTransitionTime: unchanged && prev.lastTransitionTime
      ? prev.lastTransitionTime
      : rfc3339(now),
  };
}

/**
 * The CRD's next status: names checked against the other CRDs and built-ins
 * of its group (a conflict keeps the previously accepted name and sets
 * `NamesAccepted=False` with reason `PluralConflict`, `SingularConflict`,
 * `ShortNamesConflict`, `KindConflict` or `ListKindConflict`), `Established`
 * once the names are accepted (it stays established later), and the
 * storage version recorded in `storedVersions`.
 */
export function computeCrdStatus(
  crd: CustomResourceDefinition,
  input: CrdStatusInput,
): CrdStatus {
  const requested = crd.spec.names ?? {};
  const accepted: CrdNames = crd.status?.acceptedNames ?? {};
  const next: CrdNames = { ...accepted };
  const { resources, kinds } = usedNames(crd, input);
  let reason = "";
  let message = "";
  const conflict = (r: string, m: string) => {
    reason = r;
    message = m;
  };
  let err = freshOrOurs(requested.plural, accepted.plural, resources);
  if (err) conflict("PluralConflict", err);
  else next.plural = requested.plural;
  err = freshOrOurs(requested.singular, accepted.singular, resources);
  if (err) conflict("SingularConflict", err);
  else next.singular = requested.singular;
  const own = new Set(accepted.shortNames ?? []);
  const shortErrs = (requested.shortNames ?? [])
    .filter((s) => !own.has(s))
    .map((s) => freshOrOurs(s, undefined, resources))
    .filter((e): e is string => e !== undefined);
  if (shortErrs.length > 0) {
    conflict(
      "ShortNamesConflict",
      shortErrs.length === 1 ? shortErrs[0] : `[${shortErrs.join(", ")}]`,
    );
  } else if (requested.shortNames !== undefined) {
    next.shortNames = requested.shortNames;
  } else delete next.shortNames;
  err = freshOrOurs(requested.kind, accepted.kind, kinds);
  if (err) conflict("KindConflict", err);
  else next.kind = requested.kind;
  err = freshOrOurs(requested.listKind, accepted.listKind, kinds);
  if (err) conflict("ListKindConflict", err);
  else next.listKind = requested.listKind;
  if (requested.categories !== undefined) {
    next.categories = requested.categories;
  } else delete next.categories;

  const ok = reason === "";
  const namesCond: CrdCondition = ok
    ? {
      type: "NamesAccepted",
      status: "True",
      reason: "NoConflicts",
      message: "no conflicts found",
    }
    : { type: "NamesAccepted", status: "False", reason, message };
  const prevEstablished = conditionOf(crd, "Established");
  let established: CrdCondition;
  if (prevEstablished?.status === "True") {
    established = prevEstablished;
  } else if (ok) {
    established = {
      type: "Established",
      status: "True",
      reason: "InitialNamesAccepted",
      message: "the initial names have been accepted",
    };
  } else {
    established = {
      type: "Established",
      status: "False",
      reason: "NotAccepted",
      message: "not all names are accepted",
    };
  }
  const now = input.now;
  const others = (crd.status?.conditions ?? []).filter((c) =>
    c.type !== "NamesAccepted" && c.type !== "Established"
  );
  return {
    conditions: [
      withTransition(namesCond, conditionOf(crd, "NamesAccepted"), now),
      withTransition(established, prevEstablished, now),
      ...others,
    ],
    acceptedNames: next,
    storedVersions: recordStoredVersion(crd),
  };
}

/** `status.storedVersions` with the current storage version appended. */
export function recordStoredVersion(crd: CustomResourceDefinition): string[] {
  const stored = [...(crd.status?.storedVersions ?? [])];
  const storage = storageVersionOf(crd);
  if (storage !== undefined && !stored.includes(storage)) stored.push(storage);
  return stored;
}

/** The stages of a CRD deletion, as upstream's `Terminating` reasons. */
export const TERMINATING_STAGES = {
  InstanceDeletionPending:
    "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
  InstanceDeletionInProgress: "CustomResource deletion is in progress",
  InstanceDeletionCompleted: "removed all instances",
  InstanceDeletionFailed: "could not remove all instances",
} as const;

/** One of {@linkcode TERMINATING_STAGES}. */
export type TerminatingStage = keyof typeof TERMINATING_STAGES;

/**
 * The status of a CRD whose deletion started: `Terminating=True` with the
 * stage's reason while its custom resources are removed (`detail` is
 * appended to the failure message). As upstream, a terminating CRD still
 * serves reads, updates and deletes of its remaining objects but refuses
 * creates.
 */
export function terminatingStatus(
  crd: CustomResourceDefinition,
  now: Date,
  stage: TerminatingStage = "InstanceDeletionInProgress",
  detail?: string,
): CrdStatus {
  const conds = (crd.status?.conditions ?? []).filter((c) =>
    c.type !== "Terminating"
  );
  const message = detail
    ? `${TERMINATING_STAGES[stage]}: ${detail}`
    : TERMINATING_STAGES[stage];
  const terminating = withTransition(
    { type: "Terminating", status: "True", reason: stage, message },
    conditionOf(crd, "Terminating"),
    now,
  );
  return { ...crd.status, conditions: [...conds, terminating] };
}

/** Whether the CRD's deletion started (`Terminating=True`). */
export function isTerminating(crd: CustomResourceDefinition): boolean {
  return conditionOf(crd, "Terminating")?.status === "True" ||
    crd.metadata.deletionTimestamp !== undefined;
}
