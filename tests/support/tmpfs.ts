/**
 * A small tmpfs for disk-full tests: mounted on a fresh temporary directory
 * (needs root, or CAP_SYS_ADMIN), filled up to the last byte on demand and
 * freed again, unmounted and removed on dispose. When mounting is not
 * permitted, {@linkcode mountTmpfs} returns the reason instead, for the
 * caller's loud `SKIPPED:` (which CI turns into a failure).
 *
 * @example
 * ```ts
 * const disk = await mountTmpfs(2 * 1024 * 1024);
 * if (skipWithoutTmpfs(disk, "disk full")) return;
 * await using _ = disk;
 * await disk.fill();
 * // ... writes fail with ENOSPC ...
 * await disk.free();
 * ```
 *
 * @module
 */

/** A mounted tmpfs. */
export interface Tmpfs {
  /** The mount point. */
  readonly path: string;
  /** Writes a filler file until the file system has no byte left. */
  fill(): Promise<void>;
  /** Removes the filler file. */
  free(): Promise<void>;
  /** Unmounts and removes the mount point. */
  [Symbol.asyncDispose](): Promise<void>;
}

async function run(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (out.success) return undefined;
    return new TextDecoder().decode(out.stderr).trim() ||
      `${cmd} exited with code ${out.code}`;
  } catch (err) {
    return `${cmd}: ${err instanceof Error ? err.message : err}`;
  }
}

/**
 * Mounts a tmpfs of `sizeBytes` on a new temporary directory. Returns the
 * mount, or a string saying why it could not be mounted.
 */
export async function mountTmpfs(sizeBytes: number): Promise<Tmpfs | string> {
  const path = await Deno.makeTempDir({ prefix: "hyperplane-tmpfs-" });
  const failed = await run("mount", [
    "-t",
    "tmpfs",
    "-o",
    `size=${sizeBytes},mode=0700`,
    "tmpfs",
    path,
  ]);
  if (failed !== undefined) {
    await Deno.remove(path).catch(() => {});
    return `cannot mount a tmpfs (needs root): ${failed}`;
  }
  const filler = `${path}/.filler`;
  return {
    path,
    async fill() {
      const file = await Deno.open(filler, {
        write: true,
        create: true,
        append: true,
      });
      try {
        // Big chunks first, then single bytes for the last partial page.
        for (const size of [64 * 1024, 4096, 1]) {
          const chunk = new Uint8Array(size);
          try {
            for (;;) await file.write(chunk);
          } catch (err) {
            if ((err as { code?: string }).code !== "ENOSPC") throw err;
          }
        }
      } finally {
        file.close();
      }
    },
    async free() {
      await Deno.remove(filler).catch(() => {});
    },
    async [Symbol.asyncDispose]() {
      const failed = await run("umount", [path]);
      if (failed !== undefined) {
        // a child may still hold a file open: detach lazily instead
        await run("umount", ["-l", path]);
      }
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Prints `SKIPPED: <why> (<what>)` and returns true when `disk` is the
 * reason no tmpfs could be mounted; throws instead when
 * `HYPERPLANE_REQUIRE_SERVICES=1`.
 */
export function skipWithoutTmpfs(
  disk: Tmpfs | string,
  what = "test",
): disk is string {
  if (typeof disk !== "string") return false;
  if (Deno.env.get("HYPERPLANE_REQUIRE_SERVICES") === "1") {
    throw new Error(
      `${disk} (HYPERPLANE_REQUIRE_SERVICES=1 forbids skipping ${what})`,
    );
  }
  console.error(`SKIPPED: ${disk} (${what})`);
  return true;
}
