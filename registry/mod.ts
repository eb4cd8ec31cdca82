/**
 * The backend registry: the `Backend` interface and the instance-scoped
 * `Backends` set the CLI selects from with `--storage-backend`.
 *
 * @module
 */

export * from "./backend.ts";
export * from "./backends.ts";
