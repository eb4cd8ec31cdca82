/**
 * Patch formats: JSON patch, JSON merge patch, strategic merge patch and the
 * server-side apply body.
 *
 * @module
 */

export * from "./apply_patch.ts";
export * from "./json_patch.ts";
export * from "./merge_patch.ts";
export * from "./strategic.ts";
