/**
 * core/v1 ServiceAccount.
 *
 * @module
 */

import { typeInvalid } from "../validation/field_error.ts";
import { ageColumn, fields, nameColumn } from "./_columns.ts";
import type { ResourceDefinition } from "./types.ts";
import { handleTokenRequest } from "../subresources/token_request.ts";
import { SERVICE_ACCOUNT, SERVICE_ACCOUNT_LIST } from "../schema/core_v1.ts";

/** The `serviceaccounts` resource. */
export const serviceAccounts: ResourceDefinition = {
  group: "",
  version: "v1",
  kind: "ServiceAccount",
  schema: SERVICE_ACCOUNT,
  listSchema: SERVICE_ACCOUNT_LIST,
  plural: "serviceaccounts",
  singular: "serviceaccount",
  shortNames: ["sa"],
  namespaced: true,
  subresources: {
    // TokenRequest (`kubectl create token`).
    token: {
      verbs: ["create"],
      serve: handleTokenRequest,
      responseKind: {
        group: "authentication.k8s.io",
        version: "v1",
        kind: "TokenRequest",
      },
    },
  },
  validate(obj) {
    const f = fields(obj);
    const errs = [];
    for (const k of ["secrets", "imagePullSecrets"]) {
      if (f[k] !== undefined && !Array.isArray(f[k])) {
        errs.push(typeInvalid(k, f[k], "must be a list"));
      }
    }
    const a = f.automountServiceAccountToken;
    if (a !== undefined && typeof a !== "boolean") {
      errs.push(
        typeInvalid("automountServiceAccountToken", a, "must be a boolean"),
      );
    }
    return errs;
  },
  columns: [
    nameColumn,
    {
      name: "Secrets",
      type: "string",
      description:
        "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
      priority: 1,
      cell: (obj) => {
        const s = fields(obj).secrets;
        return Array.isArray(s) ? s.length : 0;
      },
    },
    ageColumn,
  ],
};
