/**
 * The admission seam: after a write request is decoded, defaulted and
 * validated, and before anything is stored, every validating admission
 * plugin sees the object as it would be stored (and the stored one, on
 * update) and may refuse it by throwing an `ApiError`. It is the chain
 * stage after authorization (upstream's admission runs inside the REST
 * handlers, where the object is known; so does ours): the generic handlers
 * call {@linkcode ValidatingAdmission.validate} at that one point for
 * create, update (PUT, PATCH, apply, subresources) and create-on-update.
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
}

/** A validating admission plugin: throws an `ApiError` to refuse. */
export interface ValidatingAdmission {
  /** The plugin's name (logs, `--enable-admission-plugins` later). */
  readonly name: string;
  validate(attrs: AdmissionAttributes): Promise<void>;
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
