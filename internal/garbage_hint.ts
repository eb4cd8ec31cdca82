/**
 * Hints that a component just let go of much memory ("possible garbage",
 * like V8's own context-disposal hint): an idle process gets no collection
 * from V8 for it, and the idle collection of `malloc_trim.ts` cannot tell
 * dead objects from live ones by the heap's size. The watch cache notes the
 * history it drops after 75 s: after 20,000 deletes that is ~16 MiB of
 * delete events, kept otherwise by a quiet server for good (bench/README.md,
 * "Memory"). No imports, so any layer may note.
 *
 * @module
 */

let noted = 0;
let listener: ((bytes: number) => void) | undefined;

/** Notes that about `bytes` of objects just became unreachable. */
export function noteGarbage(bytes: number): void {
  if (!(bytes > 0)) return;
  noted += bytes;
  listener?.(noted);
}

/** The bytes noted since the last {@linkcode takeNotedGarbage}; resets them. */
export function takeNotedGarbage(): number {
  const n = noted;
  noted = 0;
  return n;
}

/**
 * Calls `fn` with the bytes noted so far on each note (one listener: the
 * process's trimmer); returns a function removing it.
 */
export function onNotedGarbage(fn: (bytes: number) => void): () => void {
  listener = fn;
  return () => {
    if (listener === fn) listener = undefined;
  };
}
