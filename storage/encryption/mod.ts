/**
 * Encryption at rest, as kube-apiserver's `--encryption-provider-config`:
 * upstream's `EncryptionConfiguration` file, providers `aesgcm`, `aescbc`,
 * `secretbox` and `identity`, the first provider writes and all read, stored
 * values carry upstream's `k8s:enc:<provider>:v1:<keyname>:` prefix.
 *
 * Two layers around the watch cache: {@linkcode encryptedStoreFactory}
 * below it (the backend holds ciphertext, the cache plaintext) and
 * {@linkcode guardedStoreFactory} above it (an object that does not decrypt
 * is a 500 for that object). {@linkcode openEncryption} builds both from the
 * file.
 *
 * @example
 * ```ts
 * const enc = await openEncryption({ configFile, automaticReload: false, logger });
 * const storage = enc.guard(cachedStoreFactory(enc.wrap(backend)));
 * // … on shutdown:
 * await enc.close();
 * ```
 *
 * @module
 */

import type { Logger } from "../../log/mod.ts";
import type { StoreFactory } from "../store.ts";
import { encryptedStoreFactory } from "./factory.ts";
import { guardedStoreFactory } from "./guard.ts";
import type { CounterFamily } from "./metrics.ts";
import { EncryptionProviders } from "./providers_config.ts";
import {
  type ConfigWatch,
  loadEncryptionConfig,
  watchEncryptionConfig,
} from "./reload.ts";

export {
  type EncryptionConfig,
  EncryptionConfigError,
  parseEncryptionConfig,
  type ProviderConfig,
  type ProviderKind,
  type ResourceRule,
} from "./config.ts";
export { EncryptedStore, transformErrorMessage } from "./encrypted_store.ts";
export {
  type Envelope,
  ENVELOPE_API_VERSION,
  ENVELOPE_KIND,
  isEnvelope,
} from "./envelope.ts";
export { encryptedStoreFactory } from "./factory.ts";
export { guardedStoreFactory } from "./guard.ts";
export {
  type CounterFamily,
  TransformationMetrics,
  type TransformationType,
} from "./metrics.ts";
export { EncryptionProviders } from "./providers_config.ts";
export {
  type ConfigWatch,
  loadEncryptionConfig,
  watchEncryptionConfig,
} from "./reload.ts";
export { ResourceTransformer, TransformError } from "./transformer.ts";

/** Options for {@linkcode openEncryption}. */
export interface OpenEncryptionOptions {
  /** The `EncryptionConfiguration` file. */
  configFile: string;
  /** Reload the file when it changes (`--encryption-provider-config-automatic-reload`). */
  automaticReload: boolean;
  logger: Logger;
  /** Poll period of the reload; default one minute. */
  reloadIntervalMs?: number;
}

/** Encryption at rest, ready to wrap a backend and its cache. */
export interface Encryption {
  providers: EncryptionProviders;
  /** The backend's factory, encrypting (goes below the watch cache). */
  wrap(backend: StoreFactory): StoreFactory;
  /** The cache's factory, with undecryptable objects as errors (goes above it). */
  guard(cached: StoreFactory): StoreFactory;
  /** `apiserver_storage_transformation_operations_total`. */
  metricFamilies(): CounterFamily[];
  /** Stops the reload loop, if any. */
  close(): Promise<void>;
}

/** Loads `opts.configFile` (an invalid file is an `EncryptionConfigError`). */
export async function openEncryption(
  opts: OpenEncryptionOptions,
): Promise<Encryption> {
  const { config, text } = await loadEncryptionConfig(opts.configFile);
  const providers = new EncryptionProviders(config);
  const logger = opts.logger.with({ component: "encryption" });
  logger.info("encryption at rest enabled", {
    config: opts.configFile,
    automaticReload: opts.automaticReload,
    rules: providers.describe().join(" "),
  });
  let watch: ConfigWatch | undefined;
  if (opts.automaticReload) {
    watch = watchEncryptionConfig({
      path: opts.configFile,
      text,
      providers,
      logger,
      intervalMs: opts.reloadIntervalMs,
    });
  }
  return {
    providers,
    wrap: (backend) => encryptedStoreFactory(backend, providers, logger),
    guard: (cached) => guardedStoreFactory(cached),
    metricFamilies: () => providers.metrics.families(),
    close: async () => await watch?.close(),
  };
}
