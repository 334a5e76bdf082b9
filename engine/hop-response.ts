/**
 * What a VU gets back for a request, from its hops: the response as the script sees it, and k6's
 * warnings about it. One place for both ways a request is sent (the main thread's client and the
 * VU's own sockets).
 */
import { httpStatusErrorCode } from '../formats/k6/csv.ts';
import { cleanUrl } from '../formats/k6/url.ts';
import { fast } from './fast-buffer.ts';
import { goErrorOp } from './go-http.ts';
import type { Hop } from './http-hop.ts';
import type { WireHop, WireHttpRequest, WireHttpResponse, WireJar } from './protocol.ts';

const r = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Response.timings to the nanosecond, as k6 shows them (no float noise in 21.403139000000001). */
function roundTimings(t: Hop['timings']): Hop['timings'] {
  return {
    blocked: r(t.blocked),
    connecting: r(t.connecting),
    tls_handshaking: r(t.tls_handshaking),
    sending: r(t.sending),
    waiting: r(t.waiting),
    receiving: r(t.receiving),
    duration: r(t.duration),
  };
}

function hopResponse(req: WireHttpRequest, hop: Hop): WireHttpResponse {
  let body: string | null = null;
  let bodyBase64 = false;
  if (hop.body && req.responseType !== 'none') {
    if (req.responseType === 'binary') {
      body = hop.body.toString('base64');
      bodyBase64 = true;
    } else body = fast(hop.body).utf8Slice(0, hop.body.length);
  }
  // Fields set one by one, not spread: this runs for every request, in every VU too.
  const res: WireHttpResponse = {
    status: hop.status,
    status_text: hop.status ? `${hop.status} ${hop.statusText}`.trim() : '',
    proto: hop.proto,
    url: hop.url,
    headers: hop.headers,
    body,
    timings: roundTimings(hop.timings),
    error: hop.error,
    error_code: hop.errorCode || (httpStatusErrorCode(hop.status) ?? 0),
    remote_ip: hop.remoteIp,
    remote_port: hop.remotePort,
  };
  if (bodyBase64) res.bodyBase64 = true;
  if (hop.method !== req.method) res.method = hop.method;
  if (hop.cookies) res.cookies = hop.cookies;
  return res;
}

/** The response of a request's chain of hops (its last one), and k6's warnings: a transport error, a redirect the default limit stopped. */
export function exchangeResponse(
  req: WireHttpRequest,
  ex: { hops: readonly Hop[]; jar?: WireJar; stoppedAfter?: number; jarChanged?: boolean },
  warn: (text: string, fields: string) => void,
): WireHttpResponse {
  const { hops } = ex;
  const last = hops[hops.length - 1]!;
  const res = hopResponse(req, last);
  if (ex.jar) res.jar = ex.jar;
  if (ex.jarChanged) res.jarChanged = true;
  if (last.errorDetail) {
    // As k6: Go's words for a transport error, the URL without its credentials.
    const detail = `${goErrorOp(last.method)} "${cleanUrl(last.url)}": ${last.errorDetail}`;
    if (req.throw) res.errorDetail = detail;
    else warn('Request Failed', `error=${JSON.stringify(detail)}`);
  }
  if (ex.stoppedAfter !== undefined) {
    warn(
      `Stopped after ${hops.length} redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this`,
      `url=${JSON.stringify(cleanUrl(req.url))}`,
    );
  }
  return res;
}

/** A hop made on the VU's own sockets, as data for the main thread (`withBody`: the last one's body goes too). */
export function hopToWire(h: Hop, withBody: boolean): WireHop {
  return {
    method: h.method,
    url: h.url,
    status: h.status,
    statusText: h.statusText,
    proto: h.proto,
    headers: h.headers,
    ...(withBody && h.body ? { body: h.body.toString('base64') } : {}),
    timings: h.timings,
    error: h.error,
    errorCode: h.errorCode,
    endMs: h.endMs,
    setCookie: h.setCookie,
    ...(h.errorDetail ? { errorDetail: h.errorDetail } : {}),
  };
}

/** A hop the VU made on its own sockets, as the main thread's hops are. */
export function hopFromWire(w: WireHop): Hop {
  return {
    method: w.method,
    url: w.url,
    status: w.status,
    statusText: w.statusText,
    proto: w.proto,
    headers: w.headers,
    body: w.body === undefined ? null : Buffer.from(w.body, 'base64'),
    timings: w.timings,
    error: w.error,
    errorCode: w.errorCode,
    endMs: w.endMs,
    remoteIp: '',
    remotePort: 0,
    setCookie: w.setCookie,
    ...(w.errorDetail ? { errorDetail: w.errorDetail } : {}),
  };
}
