/**
 * Buffer's own fast paths (on Buffer.prototype since Node's first versions, undocumented; undici
 * reads its bodies with utf8Slice too). toString()/write() validate their arguments and look the
 * encoding up first, which came to ~3-5 % of a VU thread's CPU per request (perf, 150 VUs): the
 * per-request paths (a VU's messages, its own sockets' requests and answers) use these instead.
 */
export interface FastBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  utf8Write(text: string, offset: number): number;
  latin1Slice(start: number, end: number): string;
  latin1Write(text: string, offset: number): number;
}

export const fast = (b: Buffer): FastBuffer => b as FastBuffer;
