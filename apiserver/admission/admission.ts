/**
 * The admission seam, in upstream's two phases. It is the chain stage after
 * authorization; as upstream, it runs inside the generic write handlers,
 * where the object is known — for create, update (PUT, PATCH, apply,
 * subresources) and create-on-update:
 *
 * 1. **Mutating** ({@linkcode MutatingAdmission.admit}): after the body is
 *    decoded and its managed fields recorded, before the kind's defaulting
 *    and validation; each plugin may return a changed object.
 * 2. **Validating** ({@linkcode ValidatingAdmission.validate}): after
 *    validation, before anything is stored, on the object as it would be
 *    stored (and the stored one, on update); for a delete, on the object
 *    being deleted, before the delete (or its finalizer marking) is stored.
 *
 * Either may refuse by throwing an `ApiError`.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { UserInfo } from "../request_context.ts";

/** What is being done (upstream's `admission.Operation`). */
export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

/** What every admission request carries (upstream's `admission.Attributes`). */
export interface RequestAttributes {
  /** Who asks. */
  user: UserInfo;
  /** The virtual cluster. */
  cluster: string;
  /** The resource's API group. */
  group: string;
  /** The resource's API version. */
  version: string;
  /** The plural resource. */
  resource: string;
  /** The subresource (`""` for the main resource). */
  subresource: string;
  /** The kind of the object. */
  kind: string;
  /** `""` for cluster-scoped kinds. */
  namespace: string;
  /** The object's name. */
  name: string;
  /** True for a dry run (nothing is stored). */
  dryRun: boolean;
  /**
   * Warnings for the client: each entry becomes a `Warning` header on the
   * response (e.g. a policy binding with `validationActions: [Warn]`).
   */
  warnings?: string[];
}

/** A create or update: the object as it would be stored. */
export interface WriteAttributes extends RequestAttributes {
  /** A write: a create or an update. */
  operation: "CREATE" | "UPDATE";
  /** The object as it would be stored. */
  object: KubeObject;
  /** The stored object (UPDATE only). */
  oldObject?: KubeObject;
}

/**
 * A delete: as upstream, there is no new object (`object` is absent) and
 * `oldObject` is the object being deleted.
 */
export interface DeleteAttributes extends RequestAttributes {
  /** A delete. */
  operation: "DELETE";
  /** A delete has no new object. */
  object?: undefined;
  /** The object being deleted. */
  oldObject: KubeObject;
}

/** What validating admission sees: a write or a delete. */
export type AdmissionAttributes = WriteAttributes | DeleteAttributes;

/** A validating admission plugin: throws an `ApiError` to refuse. */
export interface ValidatingAdmission {
  /** The plugin's name (logs, `--enable-admission-plugins` later). */
  readonly name: string;
  /** Resolves to admit the request; throws an `ApiError` to refuse it. */
  validate(attrs: AdmissionAttributes): Promise<void>;
}

/** A mutating admission plugin: returns the (possibly changed) object. */
export interface MutatingAdmission {
  /** The plugin's name. */
  readonly name: string;
  /**
   * The object to go on with (`attrs.object` itself when nothing changed);
   * throws an `ApiError` to refuse. Deletes go to `admitDelete`.
   */
  admit(attrs: WriteAttributes): Promise<KubeObject>;
  /**
   * A delete, as upstream's mutating plugins see it (`Admit` with no new
   * object): the plugin may refuse it (throw an `ApiError`) but has nothing
   * to change. Optional: a plugin without it lets every delete through.
   */
  admitDelete?(attrs: DeleteAttributes): Promise<void>;
}

/** Runs mutating `plugins` in order, each on the previous one's output. */
export function mutatingChain(
  plugins: readonly MutatingAdmission[],
): MutatingAdmission {
  return {
    name: plugins.map((p) => p.name).join(","),
    async admit(attrs) {
      let object = attrs.object;
      for (const p of plugins) object = await p.admit({ ...attrs, object });
      return object;
    },
    async admitDelete(attrs) {
      for (const p of plugins) await p.admitDelete?.(attrs);
    },
  };
}

/** Runs `plugins` in order; the first refusal wins. */
export function admissionChain(
  plugins: readonly ValidatingAdmission[],
): ValidatingAdmission {
  return {
    name: plugins.map((p) => p.name).join(","),
    async validate(attrs) {
      for (const p of plugins) await p.validate(attrs);
    },
  };
}
