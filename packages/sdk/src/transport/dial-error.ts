/**
 * Why a connection attempt never opened, in words a person can act on. The SDK keeps retrying
 * whatever the cause (the seed's timings decide when it gives up); this only explains the failure.
 */
export type DialErrorKind =
  /** Nothing listens at that host and port (ECONNREFUSED). */
  | 'refused'
  /** The address is not a ws:// or wss:// URL (no scheme, a typo). */
  | 'bad_url'
  /** wss:// to a server that speaks plain WebSocket (the TLS handshake read plain HTTP). */
  | 'tls_to_plain'
  /** The host name does not resolve. */
  | 'dns'
  /** No route, or the host did not answer in time. */
  | 'unreachable'
  /** Something answered HTTP but did not upgrade to WebSocket (a wrong port or path). */
  | 'http'
  /** Anything else, with the platform's own words. */
  | 'other';

export interface DialError {
  kind: DialErrorKind;
  url: string;
  /** One sentence: what happened and what to check. */
  message: string;
}

const TLS = /EPROTO|wrong version number|packet length too long|SSL routines|ERR_SSL|tls/i;

/**
 * Classifies the platform's description of a failed attempt on `url` (`ws` gives the Node error's
 * message; a browser gives none, so its failures are `other`).
 */
export function classifyDialError(url: string, detail: string): DialError {
  const make = (kind: DialErrorKind, message: string): DialError => ({ kind, url, message });
  if (!/^(wss?|https?):\/\//i.test(url) || /Invalid URL|protocol must be one of/i.test(detail))
    return make(
      'bad_url',
      `"${url}" is not a WebSocket URL: write it as ws://host:port (or wss://host:port when the server has TLS)`,
    );
  if (/ECONNREFUSED/.test(detail))
    return make('refused', `nothing is listening at ${url} — is the server running?`);
  if (/^(wss|https):/i.test(url) && TLS.test(detail))
    return make(
      'tls_to_plain',
      `${url} does not speak TLS: the server there is plain WebSocket — use ws:// (or give the server a certificate)`,
    );
  if (/ENOTFOUND|EAI_AGAIN/.test(detail))
    return make('dns', `cannot resolve the host of ${url} — check the name`);
  if (/EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|timed out/i.test(detail))
    return make(
      'unreachable',
      `${url} cannot be reached (no route, or no answer) — check the address and the network`,
    );
  const status = /Unexpected server response: (\d+)/.exec(detail);
  if (status)
    return make(
      'http',
      `${url} answered HTTP ${status[1]} instead of a WebSocket upgrade — is this the Holdfast server's address and port?`,
    );
  return make('other', `cannot connect to ${url}: ${detail || 'the platform gave no reason'}`);
}
