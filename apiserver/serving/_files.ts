/**
 * Small file helpers for the serving layer: atomic writes with an explicit
 * mode, and reads that tell "missing" apart from other failures.
 *
 * @module
 */

/**
 * Writes `data` to `path` atomically (temporary file in the same directory,
 * then rename) with permission `mode`, creating the directory if missing.
 * The mode is applied even when the file already existed.
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  mode: number,
): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(tmp, data, { mode });
    await Deno.chmod(tmp, mode);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/** Reads a text file, or returns `undefined` when it does not exist. */
export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** The directory part of a path (`.` when there is none). */
export function dirname(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return path.slice(0, i);
}
