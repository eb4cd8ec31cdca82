/**
 * The generic create/update strategy (upstream's `BeforeCreate` /
 * `BeforeUpdate`): system fields, kind hooks, validation, generation.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import { invalidError } from "../status/mod.ts";
import {
  type FieldError,
  forbidden,
  invalid,
} from "../validation/field_error.ts";
import { subdomainName } from "../validation/names.ts";
import {
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "../validation/object_meta.ts";
import type { ResourceDefinition } from "../resources/types.ts";
import { rfc3339 } from "../../internal/time.ts";

export { rfc3339 };

const ALNUM = "bcdfghjklmnpqrstvwxz2456789";

/** `generateName` + 5 random lowercase alphanumerics (upstream's alphabet). */
export function generateNameFrom(prefix: string): string {
  const maxPrefix = 63 - 5;
  const base = prefix.length > maxPrefix ? prefix.slice(0, maxPrefix) : prefix;
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  let s = "";
  for (const b of bytes) s += ALNUM[b % ALNUM.length];
  return base + s;
}

function throwIfInvalid(
  def: ResourceDefinition,
  obj: KubeObject,
  errs: FieldError[],
): void {
  if (errs.length > 0) {
    throw invalidError(def.group, def.kind, obj.metadata.name ?? "", errs);
  }
}

function validateAll(def: ResourceDefinition, obj: KubeObject): FieldError[] {
  return [
    ...validateObjectMeta(obj.metadata, {
      namespaced: def.namespaced,
      validateName: def.validateName ?? subdomainName,
    }),
    ...(def.validate?.(obj) ?? []),
  ];
}

/**
 * Prepares a new object for storage: uid, creationTimestamp, generation,
 * generated name, kind hooks; then validates it (422 on failure). The
 * resourceVersion is cleared (the store assigns it).
 */
export function prepareCreate(
  def: ResourceDefinition,
  obj: KubeObject,
  now: Date,
): KubeObject {
  const meta = obj.metadata;
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  meta.uid = crypto.randomUUID();
  meta.creationTimestamp = rfc3339(now);
  if (def.hasGeneration) meta.generation = 1;
  else delete meta.generation;
  if (
    (!meta.name) && typeof meta.generateName === "string" && meta.generateName
  ) {
    meta.name = generateNameFrom(meta.generateName);
  }
  def.prepareForCreate?.(obj);
  throwIfInvalid(def, obj, validateAll(def, obj));
  return obj;
}

function withoutMetaAndStatus(obj: KubeObject): string {
  const { metadata: _m, status: _s, ...rest } = obj;
  return JSON.stringify(rest);
}

type Meta = KubeObject["metadata"];

/**
 * Upstream's `BeforeUpdate` for the server-owned metadata of an update: a
 * client echoes these back in whatever form it parsed them into (the
 * Python client writes `creationTimestamp` as `…+00:00`), so the stored
 * values win: `generation` always, `creationTimestamp` always (changes are
 * ignored, not refused), `uid` when none is sent, `deletionTimestamp` once
 * set, `deletionGracePeriodSeconds` once set unless the request names one.
 * What remains different is refused by validation (`field is immutable`).
 */
export function beforeUpdate(meta: Meta, old: Meta): void {
  if (old.generation === undefined) delete meta.generation;
  else meta.generation = old.generation;
  if (!meta.uid) meta.uid = old.uid;
  if (old.creationTimestamp) meta.creationTimestamp = old.creationTimestamp;
  if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
  if (
    old.deletionGracePeriodSeconds !== undefined &&
    meta.deletionGracePeriodSeconds === undefined
  ) {
    meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
  }
  delete meta.selfLink;
}

/**
 * The rest of upstream's `ValidateObjectMetaAccessorUpdate` for deletion
 * fields: neither may be set, removed or changed by an update.
 */
function systemFieldsUpdate(meta: Meta, old: Meta): FieldError[] {
  const errs: FieldError[] = [];
  for (
    const f of ["deletionTimestamp", "deletionGracePeriodSeconds"] as const
  ) {
    if (meta[f] !== old[f]) {
      errs.push(
        invalid(`metadata.${f}`, meta[f] ?? null, "field is immutable"),
      );
    }
  }
  return errs;
}

/**
 * Computes the object to store for an update of the main resource (or of
 * `subresource`), from the stored `current` and the request's `incoming`
 * object; validates it (422 on failure).
 */
export function prepareUpdate(
  def: ResourceDefinition,
  current: KubeObject,
  incoming: KubeObject,
  subresource: string,
): KubeObject {
  let next: KubeObject;
  if (subresource) {
    const sub = def.subresources?.[subresource];
    if (!sub?.merge) {
      throw new Error(`subresource ${subresource} is not updated`);
    }
    next = sub.merge(incoming, current);
  } else {
    next = structuredClone(incoming);
    beforeUpdate(next.metadata, current.metadata);
    throwIfInvalid(def, next, [
      ...validateObjectMetaUpdate(next.metadata, current.metadata),
      ...systemFieldsUpdate(next.metadata, current.metadata),
    ]);
    if (def.subresources?.status) {
      if (current.status === undefined) delete next.status;
      else next.status = structuredClone(current.status);
    }
    def.prepareForUpdate?.(next, current);
  }
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  const errs = validateAll(def, next);
  errs.push(...(def.validateUpdate?.(next, current) ?? []));
  if (current.metadata.deletionTimestamp) {
    const had = new Set(current.metadata.finalizers ?? []);
    if ((next.metadata.finalizers ?? []).some((f) => !had.has(f))) {
      errs.push(
        forbidden(
          "metadata.finalizers",
          "no new finalizers can be added if the object is being deleted",
        ),
      );
    }
  }
  throwIfInvalid(def, next, errs);
  if (
    def.hasGeneration &&
    withoutMetaAndStatus(next) !== withoutMetaAndStatus(current)
  ) {
    next.metadata.generation = (current.metadata.generation ?? 0) + 1;
  }
  return next;
}

/** True when a deletion of `obj` must wait for finalizers. */
export function hasPendingFinalizers(
  def: ResourceDefinition,
  obj: KubeObject,
): boolean {
  return def.pendingFinalizers
    ? def.pendingFinalizers(obj)
    : (obj.metadata.finalizers?.length ?? 0) > 0;
}
