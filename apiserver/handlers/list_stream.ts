/**
 * Writing big list responses as a stream: the items are encoded a chunk at
 * a time, and the event loop is given back between chunks, so one list of
 * 20,000 objects neither holds its whole body in memory (string and bytes)
 * nor keeps other requests waiting while it is encoded. The bytes are
 * exactly those of `JSON.stringify(list) + "\n"`, as for any response (an
 * `ApiResponse`: YAML or pretty JSON, when asked for, are written from it).
 *
 * @module
 */

import { nextTurn } from "../../internal/turns.ts";
import { ApiResponse } from "../http/response.ts";

/** How many items are encoded between two turns of the event loop. */
export const LIST_CHUNK_ITEMS = 200;

/**
 * How many bytes of already encoded items (JSON texts) are written between
 * two turns: joining texts is cheap (~1 ms per MiB), while each turn costs a
 * timer — clamped to ~3–4 ms once timers nest — so 200-item chunks made a
 * 10,000-item list wait ~140 ms on timers alone.
 */
export const LIST_CHUNK_BYTES = 512 * 1024;

const encoder = new TextEncoder();

/**
 * A JSON response of a list whose last field, `field`, is the array of the
 * encoded `items`: `head` is the list encoded with that array empty, and
 * `encode` turns a chunk of items into their array elements (or, with
 * `preEncoded`, into their JSON texts, written as they are, about
 * {@linkcode LIST_CHUNK_BYTES} per turn). Lists of up
 * to {@linkcode LIST_CHUNK_ITEMS} items, or of JSON texts of up to
 * {@linkcode LIST_CHUNK_BYTES} in all (a page of 500 objects of ~1 KB), are
 * answered in one piece, without a turn of the event loop in between;
 * longer ones are streamed, and the items array is emptied as it is encoded so
 * the objects can be collected before the list is done. `encoded` is
 * called once every item is encoded (or the response was cancelled, or
 * encoding failed).
 *
 * @example
 * ```ts
 * listResponse(JSON.stringify({ kind: "List", items: [] }), "items", objs,
 *   (chunk) => chunk.map(strip));
 * ```
 */
export function listResponse<T>(
  head: string,
  field: string,
  items: T[],
  encode: (chunk: T[]) => unknown[],
  encoded: () => void = () => {},
  preEncoded = false,
): Response {
  const elements = preEncoded ? joinEncoded : encodeElements;
  const empty = `,"${field}":[]}`;
  if (!head.endsWith(empty)) {
    throw new Error(`a list's ${field} must be its last field`);
  }
  const open = head.slice(0, head.length - 2); // up to and with "["
  const headers = { "content-type": "application/json" };
  const whole = preEncoded
    ? totalLength(items as unknown as string[]) <= LIST_CHUNK_BYTES
    : items.length <= LIST_CHUNK_ITEMS;
  if (whole) {
    try {
      return new ApiResponse(`${open}${elements(encode(items))}]}\n`, {
        headers,
      });
    } finally {
      encoded();
    }
  }
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(open));
    },
    async pull(controller) {
      try {
        await nextTurn();
        const end = preEncoded
          ? endBySize(items as unknown as string[], next)
          : Math.min(next + LIST_CHUNK_ITEMS, items.length);
        const chunk = items.slice(next, end);
        items.fill(undefined as T, next, end); // collectable once encoded
        const text = (next === 0 ? "" : ",") + elements(encode(chunk));
        next = end;
        controller.enqueue(encoder.encode(text));
        if (next >= items.length) {
          encoded();
          controller.enqueue(encoder.encode("]}\n"));
          controller.close();
        }
      } catch (e) {
        encoded();
        throw e;
      }
    },
    cancel() {
      items.length = 0;
      encoded();
    },
  });
  return new ApiResponse(body, { headers });
}

/** The end of the chunk of texts from `start`: at least one, about LIST_CHUNK_BYTES. */
function endBySize(texts: string[], start: number): number {
  let size = 0;
  let end = start;
  while (end < texts.length && (end === start || size < LIST_CHUNK_BYTES)) {
    size += texts[end++].length;
  }
  return end;
}

/** The length of all `texts` together. */
function totalLength(texts: string[]): number {
  let size = 0;
  for (const t of texts) size += t.length;
  return size;
}

/** The elements of a JSON array, without the brackets. */
function encodeElements(values: unknown[]): string {
  return JSON.stringify(values).slice(1, -1);
}

/** Elements that are already JSON texts, without the brackets. */
function joinEncoded(values: unknown[]): string {
  return values.join(",");
}
