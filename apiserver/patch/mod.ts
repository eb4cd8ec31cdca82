/**
 * Patch formats: JSON patch and JSON merge patch.
 *
 * @module
 */

export * from "./json_patch.ts";
export * from "./merge_patch.ts";
