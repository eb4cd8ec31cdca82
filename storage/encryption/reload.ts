/**
 * Loading the `--encryption-provider-config` file, and watching it when
 * `--encryption-provider-config-automatic-reload` is on: a change of the
 * file (seen through file-system events, and by a poll every minute as
 * upstream's reload controller) is parsed and, when valid, replaces the
 * providers for every store's next operation. An invalid file is logged and
 * the previous providers stay in force.
 *
 * @module
 */

import { dirname } from "node:path";
import type { Logger } from "../../log/mod.ts";
import { EncryptionConfigError, parseEncryptionConfig } from "./config.ts";
import type { EncryptionConfig } from "./config.ts";
import type { EncryptionProviders } from "./providers_config.ts";
import { loadTweetnacl, loadYaml } from "../../internal/lazy_npm.ts";

/** Reads and checks the configuration file; errors name the file. */
export async function loadEncryptionConfig(
  path: string,
): Promise<{ config: EncryptionConfig; text: string }> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw new EncryptionConfigError([
      `cannot read ${path}: ${(err as Error).message}`,
    ]);
  }
  // Parsing and the secretbox provider are synchronous: load both first.
  await Promise.all([loadYaml(), loadTweetnacl()]);
  try {
    return { config: parseEncryptionConfig(text), text };
  } catch (err) {
    if (err instanceof EncryptionConfigError) {
      throw new EncryptionConfigError(err.problems.map((p) => `${path}: ${p}`));
    }
    throw err;
  }
}

/** Options for {@linkcode watchEncryptionConfig}. */
export interface WatchOptions {
  path: string;
  /** The content in force (a reload happens only when it changes). */
  text: string;
  providers: EncryptionProviders;
  logger: Logger;
  /** Poll period; default one minute. */
  intervalMs?: number;
}

/** A running reload loop. */
export interface ConfigWatch {
  /** How many reloads succeeded and failed so far. */
  readonly reloads: { success: number; failure: number };
  /** Stops watching. */
  close(): Promise<void>;
}

/** Starts reloading `opts.path` on change. */
export function watchEncryptionConfig(opts: WatchOptions): ConfigWatch {
  let current = opts.text;
  const reloads = { success: 0, failure: 0 };
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const check = () => {
    running = running.then(async () => {
      if (closed) return;
      let text: string;
      try {
        text = await Deno.readTextFile(opts.path);
      } catch {
        return; // mid-replace (rename) or gone: try again on the next event
      }
      if (text === current) return;
      try {
        const config = parseEncryptionConfig(text);
        opts.providers.replace(config);
        current = text;
        reloads.success++;
        opts.logger.info("encryption provider config reloaded", {
          path: opts.path,
          rules: opts.providers.describe().join(" "),
        });
      } catch (err) {
        current = text;
        reloads.failure++;
        opts.logger.error(
          "encryption provider config reload failed; the previous providers stay in force",
          { path: opts.path, err },
        );
      }
    });
  };
  const timer = setInterval(check, opts.intervalMs ?? 60_000);
  let fsWatcher: Deno.FsWatcher | undefined;
  try {
    // The directory, not the file: config maps swap files by rename.
    fsWatcher = Deno.watchFs(dirname(opts.path), { recursive: false });
  } catch (err) {
    opts.logger.warn(
      "cannot watch the encryption config's directory; polling",
      {
        err,
      },
    );
  }
  const events = (async () => {
    if (!fsWatcher) return;
    try {
      for await (const _ of fsWatcher) check();
    } catch { /* closed */ }
  })();
  return {
    reloads,
    async close() {
      closed = true;
      clearInterval(timer);
      fsWatcher?.close();
      await events;
      await running;
    },
  };
}
