/**
 * Request bodies made from a script's object, as k6 makes them (Go's url.Values and
 * mime/multipart). Pure: no host, so that the tests run it in-process.
 */

/** k6's FileData (http.file()): one part of a multipart body. */
export class FileData {
  constructor(
    readonly data: string | ArrayBuffer,
    readonly filename: string,
    readonly content_type: string,
  ) {}
}

/** Go's url.QueryEscape (k6 encodes forms with Go's url.Values): space is '+', only A-Z a-z 0-9 - _ . ~ left as they are. */
export function queryEscape(v: string): string {
  return encodeURIComponent(v)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}

/** Go's fmt %v of a form value, as k6 writes it: arrays as `[a b]`, null as `<nil>`. */
function formValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(formValue).join(' ')}]`;
  return String(v);
}

/** An object body as k6 sends it: a form (keys sorted, array values as repeated keys, as Go's url.Values). */
export function formBody(obj: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    const key = queryEscape(k);
    for (const x of Array.isArray(v) ? v : [v]) parts.push(`${key}=${queryEscape(formValue(x))}`);
  }
  return parts.join('&');
}

/** UTF-8 bytes of a string (no TextEncoder in a VU's context). */
function utf8(s: string): Uint8Array {
  const bin = unescape(encodeURIComponent(s));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const escapeQuotes = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** An object body with an http.file(): multipart/form-data as Go's mime/multipart writes it for k6. */
export function multipartBody(obj: Record<string, unknown>, boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  let first = true;
  for (const [k, v] of Object.entries(obj)) {
    let head = `${first ? '' : '\r\n'}--${boundary}\r\n`;
    first = false;
    if (v instanceof FileData) {
      head += `Content-Disposition: form-data; name="${k}"; filename="${escapeQuotes(v.filename)}"\r\nContent-Type: ${v.content_type}\r\n\r\n`;
      chunks.push(utf8(head), typeof v.data === 'string' ? utf8(v.data) : new Uint8Array(v.data));
    } else chunks.push(utf8(`${head}Content-Disposition: form-data; name="${escapeQuotes(k)}"\r\n\r\n${formValue(v)}`));
  }
  chunks.push(utf8(`\r\n--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
