/**
 * The input of the OpenAPI generator: what the server serves, per kind.
 * The handler layer adapts its resource definitions to this (CRDs too).
 *
 * @module
 */

import type { Schema } from "../schema/mod.ts";

/** One served kind. */
export interface ServedKind {
  /** API group; `""` for core. */
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in paths (`configmaps`). */
  plural: string;
  namespaced: boolean;
  /**
   * Verbs served: any of `get`, `list`, `watch`, `create`, `update`,
   * `patch`, `delete`, `deletecollection`.
   */
  verbs: readonly string[];
  /**
   * Content types PATCH accepts (default: all four). Custom resources
   * leave out strategic merge patch, and kubectl's `apply` reads this to
   * choose between a strategic and a JSON merge patch.
   */
  patchTypes?: readonly string[];
  /**
   * The kind's structural schema. Built-in schemas carry upstream
   * definition names; an unnamed schema (a CRD's) is published as
   * `<reversed group>.<version>.<Kind>` like upstream.
   */
  schema: Schema;
}
