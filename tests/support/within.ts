/**
 * A bound on a wait that must end: a hang becomes a failure naming what
 * hung, instead of a test (or bench) that never ends.
 *
 * @module
 */

/** Resolves `p` or rejects after `ms` with `what`. */
export async function within<T>(
  p: Promise<T>,
  ms: number,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what}: not within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
