/**
 * {@linkcode EncryptionProviders}: the configured transformers per resource,
 * replaceable at run time (automatic reload). A resource no rule names is
 * stored as is (`identity`), as upstream.
 *
 * @module
 */

import type { ResourceRef } from "../keys.ts";
import {
  type EncryptionConfig,
  matchesResource,
  resourceLabel,
} from "./config.ts";
import { TransformationMetrics } from "./metrics.ts";
import { transformersOf } from "./providers.ts";
import { ResourceTransformer } from "./transformer.ts";

/** The transformers of every resource under one (replaceable) configuration. */
export class EncryptionProviders {
  #config: EncryptionConfig;
  #byResource = new Map<string, ResourceTransformer>();
  /** Counts every transformation (`/metrics`). */
  readonly metrics: TransformationMetrics;

  constructor(config: EncryptionConfig, metrics = new TransformationMetrics()) {
    this.#config = config;
    this.metrics = metrics;
  }

  /** The configuration in force. */
  get config(): EncryptionConfig {
    return this.#config;
  }

  /** Switches to `config`; the next operation of every store uses it. */
  replace(config: EncryptionConfig): void {
    this.#config = config;
    this.#byResource = new Map();
  }

  /** The transformers for `ref` (the first rule naming it wins). */
  transformerFor(ref: ResourceRef): ResourceTransformer {
    const label = resourceLabel(ref);
    let t = this.#byResource.get(label);
    if (!t) {
      const rule = this.#config.rules.find((r) =>
        r.resources.some((p) =>
          matchesResource(p, ref.resource, ref.group ?? "")
        )
      );
      const providers = rule?.providers ?? [{ kind: "identity" as const }];
      t = new ResourceTransformer(
        providers.flatMap(transformersOf),
        this.metrics,
      );
      this.#byResource.set(label, t);
    }
    return t;
  }

  /** One `resources=providers` line per rule, for the log. */
  describe(): string[] {
    return this.#config.rules.map((r) =>
      `${r.resources.join(",")}=${r.providers.map((p) => p.kind).join(",")}`
    );
  }
}
