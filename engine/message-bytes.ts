/**
 * A VU's messages (calls and replies, JSON) read and written in place as UTF-8 in the data area
 * of its shared memory, by both threads. Buffer's own utf8Slice/utf8Write (on Buffer.prototype
 * since Node's first versions, undocumented; undici reads its bodies with utf8Slice too):
 * toString()/write() validate their arguments and look the encoding up first, which came to ~3 %
 * of a VU thread's CPU per request (perf, 150 VUs).
 */
import { DATA_BYTES, HEADER_BYTES } from './protocol.ts';

interface Utf8Buffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number): number;
}

export class MessageBytes {
  private readonly bytes: Utf8Buffer;

  constructor(sab: SharedArrayBuffer) {
    this.bytes = Buffer.from(sab, HEADER_BYTES, DATA_BYTES) as Utf8Buffer;
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
