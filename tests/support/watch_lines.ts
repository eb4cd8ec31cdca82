/**
 * Reading a watch response in tests: one JSON event per line, taken as they
 * arrive (the API tests and the e2e tests share it).
 *
 * @module
 */

/** Reads JSON lines from a watch response. */
export interface WatchLineReader {
  /** The next event, parsed; `undefined` once the stream has ended. */
  // deno-lint-ignore no-explicit-any
  next(): Promise<any>;
  /** Stops reading (ends the watch from the client's side). */
  cancel(): Promise<void>;
}

/** A {@linkcode WatchLineReader} over `res`'s body. */
export function lineReader(res: Response): WatchLineReader {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return {
    async next() {
      for (;;) {
        const nl = buf.indexOf("\n");
        if (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          return JSON.parse(line);
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        buf += value;
      }
    },
    cancel: () => reader.cancel(),
  };
}
