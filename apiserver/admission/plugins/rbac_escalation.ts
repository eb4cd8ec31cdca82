/**
 * RBAC escalation prevention as an admission plugin: a Role or ClusterRole
 * may only grant what its author holds (or the author may `escalate`), a
 * binding may only reference a role whose permissions its author holds (or
 * may `bind`) — upstream's rules and messages (`authz/rbac/escalation.ts`).
 * Upstream checks this in the RBAC storage; the outcome a client sees is
 * the same.
 *
 * @module
 */

import type { Authorizer } from "../../authz/authorizer.ts";
import {
  checkRbacWrite,
  RBAC_GROUP,
  RBAC_RESOURCES,
  type RbacResource,
  type RuleResolver,
} from "../../authz/rbac/mod.ts";
import { forbiddenError, notFoundError } from "../../status/mod.ts";
import type { ValidatingAdmission } from "../admission.ts";

const RESOURCES = new Set<string>(RBAC_RESOURCES);

/** The escalation-prevention plugin. */
export function rbacEscalation(
  authorizer: Authorizer,
  resolver: RuleResolver,
): ValidatingAdmission {
  return {
    name: "RBACEscalation",
    async validate(attrs) {
      if (attrs.group !== RBAC_GROUP || !RESOURCES.has(attrs.resource)) return;
      // Deleting RBAC objects grants nothing: no escalation to check.
      if (attrs.subresource || attrs.operation === "DELETE") return;
      const denial = await checkRbacWrite({ authorizer, resolver }, {
        user: attrs.user,
        cluster: attrs.cluster,
        resource: attrs.resource as RbacResource,
        namespace: attrs.namespace,
        object: attrs.object,
        old: attrs.oldObject,
      });
      if (!denial) return;
      const gr = { group: denial.group, resource: denial.resource };
      if (denial.code === 404) throw notFoundError(gr, denial.name);
      throw forbiddenError(gr, denial.name, denial.message);
    },
  };
}
