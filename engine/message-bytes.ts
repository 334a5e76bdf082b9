/**
 * A VU's messages (calls and replies, JSON) read and written in place as UTF-8 in the data area
 * of its shared memory, by both threads, with Buffer's fast paths (fast-buffer.ts).
 */
import { fast, type FastBuffer } from './fast-buffer.ts';
import { DATA_BYTES, HEADER_BYTES } from './protocol.ts';

export class MessageBytes {
  private readonly bytes: FastBuffer;

  constructor(sab: SharedArrayBuffer) {
    this.bytes = fast(Buffer.from(sab, HEADER_BYTES, DATA_BYTES));
  }

  /** Writes `json`; its byte length, or -1 when it might not fit (it must then go through the port). */
  write(json: string): number {
    // Worst case UTF-8 is 3 bytes per UTF-16 unit: only then can the data area fall short.
    return json.length * 3 <= DATA_BYTES ? this.bytes.utf8Write(json, 0) : -1;
  }

  read(length: number): string {
    return this.bytes.utf8Slice(0, length);
  }
}
