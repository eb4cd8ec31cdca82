/**
 * Follows HTTP/2 frame boundaries in one direction of a relayed connection
 * (RFC 9113 §4.1: a 9-byte header with a 24-bit length, type, flags and
 * stream id), so that the TLS front knows which streams are open — for its
 * idle timeout and for closing a connection once its last stream ended
 * during shutdown. Frames are never buffered or changed; the front may add
 * its own {@linkcode H2_ACK_NUDGE} between them (see `_front_connection.ts`).
 *
 * @module
 */

/** The client connection preface, before the first client frame. */
export const H2_PREFACE_LENGTH = 24;

/** Frame types the front cares about. */
export const H2 = {
  DATA: 0x0,
  HEADERS: 0x1,
  PRIORITY: 0x2,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PUSH_PROMISE: 0x5,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
  /** Flag of DATA and HEADERS. */
  END_STREAM: 0x1,
  /** Flag of SETTINGS and PING. */
  ACK: 0x1,
  /** Flag of HEADERS, PUSH_PROMISE and CONTINUATION. */
  END_HEADERS: 0x4,
} as const;

/**
 * An empty frame of a type from the range RFC 9113 reserves for
 * experimental use (0xf0–0xff) on stream 0: every receiver must ignore and
 * discard a frame of a type it does not know (§4.1, §5.5), so it changes
 * nothing in the connection — the TCP segment that carries it also carries
 * the server's ACK of what the client sent last.
 */
export const H2_ACK_NUDGE: Uint8Array = Uint8Array.of(
  0,
  0,
  0,
  0xf0,
  0,
  0,
  0,
  0,
  0,
);

/**
 * True for frames the peer answers with nothing: WINDOW_UPDATE, PRIORITY,
 * RST_STREAM, and the ACKs of SETTINGS and PING.
 */
export function drawsNoAnswer(f: H2FrameHeader): boolean {
  switch (f.type) {
    case H2.WINDOW_UPDATE:
    case H2.PRIORITY:
    case H2.RST_STREAM:
      return true;
    case H2.SETTINGS:
    case H2.PING:
      return (f.flags & H2.ACK) !== 0;
    default:
      return false;
  }
}

/** One frame header. */
export interface H2FrameHeader {
  type: number;
  flags: number;
  streamId: number;
  length: number;
}

/** An incremental frame-boundary reader. */
export class H2Framer {
  #skip: number;
  #header = new Uint8Array(9);
  #have = 0;
  #payload = 0;
  #onFrame: (f: H2FrameHeader) => void;

  /** `skip` bytes (the client preface) come before the first frame. */
  constructor(onFrame: (f: H2FrameHeader) => void, skip = 0) {
    this.#onFrame = onFrame;
    this.#skip = skip;
  }

  /** True between frames (no header or payload partly read). */
  get atFrameBoundary(): boolean {
    return this.#skip === 0 && this.#have === 0 && this.#payload === 0;
  }

  /** Reads one chunk. */
  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
      } else if (this.#payload > 0) {
        const n = Math.min(this.#payload, chunk.length - i);
        this.#payload -= n;
        i += n;
      } else {
        const n = Math.min(9 - this.#have, chunk.length - i);
        this.#header.set(chunk.subarray(i, i + n), this.#have);
        this.#have += n;
        i += n;
        if (this.#have === 9) {
          const h = this.#header;
          this.#have = 0;
          const length = (h[0] << 16) | (h[1] << 8) | h[2];
          this.#payload = length;
          this.#onFrame({
            length,
            type: h[3],
            flags: h[4],
            streamId: ((h[5] & 0x7f) << 24 | h[6] << 16 | h[7] << 8 | h[8]) >>>
              0,
          });
        }
      }
    }
  }
}
