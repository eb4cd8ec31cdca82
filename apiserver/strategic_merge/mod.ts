/**
 * Strategic merge patch for built-in kinds, driven by the kind's structural
 * schema (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`).
 *
 * @module
 */

export * from "./errors.ts";
export { strategicMergePatch } from "./strategic_merge.ts";
