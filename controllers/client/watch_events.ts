/**
 * Reads a watch's events: objects handed over in-process (the transport
 * took them as objects: `WatchAnswer` in `transport.ts`), or a body of one
 * JSON document per line, straight from its byte stream. Every event of
 * every in-process informer passes here. For bytes, piping the body through
 * a `TextDecoderStream` cost a second stream stage per chunk (~4% of the
 * server's CPU while virtual clusters were created, `bench/README.md`), and
 * re-slicing the buffer after each line made a chunk of many events
 * quadratic. Here each chunk is decoded once (a UTF-8 character split
 * across chunks is carried over) and its lines are parsed in place.
 *
 * @module
 */

/** A watch's events as objects, or its body (`null`: none). */
export type WatchBody<T> =
  | { events: ReadableStream<T> }
  | ReadableStream<Uint8Array>
  | null;

/**
 * Yields the events of the watch `open` resolves to (called on the first
 * iteration): each object of `events`, or each non-blank line of a body
 * parsed as JSON (nothing when it is `null`), until the stream ends or
 * `signal` aborts (then returns quietly); a last line without its newline
 * (a stream cut short) is dropped. The reader is released (cancelled) on
 * return.
 */
export async function* watchEvents<T>(
  open: () => Promise<WatchBody<T>>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const body = await open();
  if (!body) return;
  const objects = !(body instanceof ReadableStream);
  const reader: ReadableStreamDefaultReader<T | Uint8Array> = objects
    ? body.events.getReader()
    : body.getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  const decoder = new TextDecoder();
  // The start of a line whose end has not arrived yet.
  let rest = "";
  try {
    while (!signal.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      // One generator for both forms: no delegation per event.
      if (objects) {
        yield value as T;
        continue;
      }
      const text = rest + decoder.decode(value as Uint8Array, { stream: true });
      let from = 0;
      // `rest` holds no newline: a long line is not scanned again per chunk.
      let nl = text.indexOf("\n", rest.length);
      for (; nl >= 0; nl = text.indexOf("\n", from)) {
        const line = text.slice(from, nl);
        from = nl + 1;
        if (line.trim()) yield JSON.parse(line) as T;
      }
      rest = from === 0 ? text : text.slice(from);
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    signal.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => {});
  }
}
