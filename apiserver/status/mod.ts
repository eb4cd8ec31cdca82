/**
 * API errors and their `Status` form.
 *
 * @module
 */

export * from "./api_error.ts";
export * from "./from_error.ts";
