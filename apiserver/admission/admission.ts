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
 *    stored (and the stored one, on update).
 *
 * Either may refuse by throwing an `ApiError`.
 *
 * @module
 */

import type { KubeObject } from "../../storage/mod.ts";
import type { UserInfo } from "../request_context.ts";

/** What is being written (upstream's `admission.Operation`). */
export type AdmissionOperation = "CREATE" | "UPDATE";

/** Upstream's `admission.Attributes` for one write. */
export interface AdmissionAttributes {
  operation: AdmissionOperation;
  user: UserInfo;
  cluster: string;
  group: string;
  version: string;
  /** The plural resource. */
  resource: string;
  subresource: string;
  kind: string;
  /** `""` for cluster-scoped kinds. */
  namespace: string;
  name: string;
  /** The object as it would be stored. */
  object: KubeObject;
  /** The stored object (UPDATE only). */
  oldObject?: KubeObject;
  dryRun: boolean;
  /**
   * Warnings for the client: each entry becomes a `Warning` header on the
   * response (e.g. a policy binding with `validationActions: [Warn]`).
   */
  warnings?: string[];
}

/** A validating admission plugin: throws an `ApiError` to refuse. */
export interface ValidatingAdmission {
  /** The plugin's name (logs, `--enable-admission-plugins` later). */
  readonly name: string;
  validate(attrs: AdmissionAttributes): Promise<void>;
}

/** A mutating admission plugin: returns the (possibly changed) object. */
export interface MutatingAdmission {
  /** The plugin's name. */
  readonly name: string;
  /**
   * The object to go on with (`attrs.object` itself when nothing changed);
   * throws an `ApiError` to refuse.
   */
  admit(attrs: AdmissionAttributes): Promise<KubeObject>;
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
