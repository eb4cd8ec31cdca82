/**
 * The input of `x509.js`, the bundled `@peculiar/x509` (see `README.md`):
 * the package and the `reflect-metadata` polyfill its dependency injection
 * needs, loaded first.
 *
 * @module
 */

import "reflect-metadata";
export * from "@peculiar/x509";
