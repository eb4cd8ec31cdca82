/**
 * Follows HTTP/2 frame boundaries in one direction of a relayed connection
 * (RFC 9113 §4.1: a 9-byte header with a 24-bit length, type, flags and
 * stream id), so that the TLS front knows which streams are open — for its
 * idle timeout and for closing a connection once its last stream ended
 * during shutdown. Frames are never buffered or changed.
 *
 * @module
 */

/** The client connection preface, before the first client frame. */
export const H2_PREFACE_LENGTH = 24;

/** Frame types the front cares about. */
export const H2 = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  GOAWAY: 0x7,
  END_STREAM: 0x1,
} as const;

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
