/**
 * npm packages loaded on first use instead of with the server (issue 21:
 * start to `/readyz`): the CommonJS `yaml` (YAML bodies, kubeconfigs,
 * encryption configurations) and `tweetnacl` (the `secretbox` encryption
 * provider) — importing either at start pulled in the runtime's CommonJS
 * loader as well, 40–130 ms — and `@marcbachmann/cel-js` (CRD validation
 * rules, admission policies), whose module builds its standard library
 * when it loads (20–35 ms).
 *
 * The `load…()` functions import the package (a dynamic `import()` with a
 * fixed specifier, so `deno compile` still embeds it); asynchronous paths
 * call them first (a request whose content type names YAML, writing a
 * kubeconfig, loading an encryption configuration). The synchronous
 * accessors return the loaded package, or `require` it on the spot for a
 * synchronous caller that did not load it first (a library user calling
 * `parseKubeconfig`, a test).
 *
 * @module
 */

import { createRequire } from "node:module";

/** The `yaml` package's exports. */
export type YamlModule = typeof import("yaml");
/** The `tweetnacl` package's default export. */
export type NaclModule = typeof import("tweetnacl");
/** The `@marcbachmann/cel-js` package's exports. */
export type CelModule = typeof import("@marcbachmann/cel-js");

let yamlModule: YamlModule | undefined;
let naclModule: NaclModule | undefined;
let celModule: CelModule | undefined;

const requireHere = (name: string): unknown =>
  createRequire(import.meta.url)(name);

/** Imports `yaml` once; later calls return the same module. */
export async function loadYaml(): Promise<YamlModule> {
  return yamlModule ??= await import("yaml");
}

/** `yaml`, loaded by {@linkcode loadYaml} or now (synchronously). */
export function yaml(): YamlModule {
  return yamlModule ??= requireHere("yaml") as YamlModule;
}

/** Imports `tweetnacl` once; later calls return the same module. */
export async function loadTweetnacl(): Promise<NaclModule> {
  return naclModule ??= (await import("tweetnacl")).default;
}

/** `tweetnacl`, loaded by {@linkcode loadTweetnacl} or now. */
export function tweetnacl(): NaclModule {
  return naclModule ??= requireHere("tweetnacl") as NaclModule;
}

/** Imports `@marcbachmann/cel-js` once; later calls return the same module. */
export async function loadCel(): Promise<CelModule> {
  return celModule ??= await import("@marcbachmann/cel-js");
}

/**
 * `@marcbachmann/cel-js`, loaded by {@linkcode loadCel} or now: CEL
 * expressions are compiled synchronously (validation of a CRD or a policy),
 * so the first one loads the package where it stands (`require` of an ES
 * module, as Node 22 and Deno allow).
 */
export function cel(): CelModule {
  return celModule ??= requireHere("@marcbachmann/cel-js") as CelModule;
}

/**
 * Loads every lazily loaded package (asynchronously). A served control plane
 * calls it a little after it listens, so later synchronous users (the first
 * CEL rule, a YAML patch) find the packages loaded instead of `require`-ing
 * them where they stand, while the start itself stays lean.
 */
export async function preloadLazyPackages(): Promise<void> {
  await Promise.all([loadYaml(), loadTweetnacl(), loadCel()]);
}
