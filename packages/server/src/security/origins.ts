/**
 * Which web origins may open a WebSocket to this server (the browser's `Origin` header on the
 * upgrade). Entries are origins (`https://app.example.com`, with a port when it is not the
 * scheme's default), a subdomain pattern (`https://*.example.com`: any subdomain, not the bare
 * domain), or `*` (any origin). Without a list every origin may connect. A request without an
 * Origin header is not a browser's (browsers always send one on a WebSocket upgrade) and is let
 * through: the Node SDK and the CLI send none, and a non-browser client could forge any origin.
 */
export class OriginPolicy {
  readonly #exact = new Set<string>();
  readonly #suffixes: Array<{ scheme: string; suffix: string; port: string }> = [];
  readonly #any: boolean;

  /** Throws a TypeError naming the entry when one is not an origin or pattern. */
  constructor(entries: readonly string[]) {
    this.#any = entries.includes('*');
    for (const entry of entries) if (entry !== '*') this.#add(entry);
  }

  #add(entry: string): void {
    const bad = () =>
      new TypeError(
        `allowedOrigins: "${entry}" is not an origin (scheme://host[:port], e.g. https://app.example.com or https://*.example.com, or *)`,
      );
    const wildcard = /^([a-z][a-z0-9+.-]*):\/\/\*\.([^/:]+)(?::(\d{1,5}))?$/i.exec(entry);
    if (wildcard) {
      const origin = parseOrigin(`${wildcard[1]}://x.${wildcard[2]}${wildcard[3] ? `:${wildcard[3]}` : ''}`);
      if (!origin) throw bad();
      this.#suffixes.push({
        scheme: origin.protocol,
        suffix: `.${origin.hostname.slice(2)}`,
        port: origin.port,
      });
      return;
    }
    const origin = parseOrigin(entry);
    if (!origin) throw bad();
    this.#exact.add(origin.origin);
  }

  /** Undefined when an upgrade with this `Origin` header may go ahead, or why it may not. */
  check(origin: string | undefined): string | undefined {
    if (origin === undefined || this.#any) return undefined;
    const parsed = parseOrigin(origin);
    if (parsed && this.#exact.has(parsed.origin)) return undefined;
    if (
      parsed &&
      this.#suffixes.some(
        (s) => parsed.protocol === s.scheme && parsed.port === s.port && parsed.hostname.endsWith(s.suffix),
      )
    )
      return undefined;
    return `origin ${JSON.stringify(origin.slice(0, 200))} is not in this server's allowed origins (allowedOrigins, --allowed-origin)`;
  }
}

/**
 * Undefined when a request is not a browser's cross-site one, or why it is refused: an `Origin`
 * header whose host is not the request's `Host`. For the admin API, where a page on another site
 * could otherwise make a logged-in operator's browser send a "simple" POST (a kick, a ban, a
 * channel close) with its cached Basic credentials. Non-browser clients send no Origin.
 */
export function crossSiteRefusal(origin: string | undefined, host: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const parsed = parseOrigin(origin);
  if (parsed && host !== undefined && parsed.host === host.toLowerCase()) return undefined;
  return `a request from the page ${JSON.stringify(origin.slice(0, 200))} is refused: the admin API only answers its own origin and non-browser clients`;
}

/** `scheme://host[:port]` with nothing after it, or undefined. */
function parseOrigin(text: string): URL | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#@*]+$/i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.hostname ? url : undefined;
  } catch {
    return undefined;
  }
}
