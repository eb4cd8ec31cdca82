/**
 * The RBAC index's one shared, frozen copy of each distinct JSON value it
 * keeps per object (a role's rules, a binding's subjects and role
 * reference): identical content (same JSON text) means identical decisions,
 * so every cluster's copy of the bootstrap policy shares one decoded value
 * (`internal/json_interner.ts`) — and one index entry per distinct binding
 * ({@linkcode WeakInterner}).
 *
 * @module
 */

import { JsonInterner } from "../../../internal/json_interner.ts";
import { WeakInterner } from "../../../internal/weak_interner.ts";
import type { BindingEntry } from "./policy_index.ts";

export { JsonInterner };

/** The interner every RBAC index of the process shares. */
export const rbacValues: JsonInterner = new JsonInterner();

/** The binding entries every RBAC index of the process shares. */
export const bindingEntries: WeakInterner<BindingEntry> = new WeakInterner();
