/** The outcome of one POST: 2xx is delivered; anything else (status, refusal, timeout) is retried. */
export type PostResult = { ok: true; status: number } | { ok: false; detail: string };

/** Sends one request; never throws. */
export type Post = (
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
) => Promise<PostResult>;

/**
 * `https://user:pass@host/…` → the URL without them and a Basic `authorization` header (fetch
 * refuses a URL with credentials).
 */
export function splitCredentials(url: string): { url: string; authorization?: string } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { url: u.href, authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/** POST with Node's fetch (keep-alive connections), no redirects followed, the answer's body discarded. */
export const httpPost: Post = async (url, body, headers, timeoutMs) => {
  try {
    const target = splitCredentials(url);
    const res = await fetch(target.url, {
      method: 'POST',
      body,
      headers: target.authorization ? { ...headers, authorization: target.authorization } : headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300
      ? { ok: true, status: res.status }
      : { ok: false, detail: `HTTP ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, detail: e.cause?.code ?? (e.name === 'TimeoutError' ? 'timeout' : e.message) };
  }
};
