/**
 * Label and field selectors.
 *
 * @module
 */

export * from "./label_selector.ts";
export * from "./field_selector.ts";
