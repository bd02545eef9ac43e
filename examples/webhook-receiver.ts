/**
 * A Holdfast webhook receiver with no dependencies: it checks each request's `Holdfast-Signature`
 * (HMAC-SHA256 of "<t>.<raw body>" with the shared secret) and that `t` is within 5 minutes of this
 * machine's clock, drops an event id it has already seen (retries may repeat a delivered event), and
 * answers 204. Anything else gets 400/401 with the reason, and Holdfast retries a non-2xx answer.
 *
 *   HOLDFAST_WEBHOOK_SECRET=... node examples/dist/webhook-receiver.js     # listens on :8080
 *   HOLDFAST_WEBHOOK_SECRET=... holdfast serve --webhook-url http://127.0.0.1:8080/holdfast
 *
 * Copy `verifyHoldfastWebhook` into your own server; verify the raw bytes, before parsing the JSON.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';

export type WebhookRefusal =
  | 'missing_signature'
  | 'malformed_signature'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch';

/**
 * Checks a `Holdfast-Signature: t=<unix s>,v1=<hex>` header against the raw body. Several `v1`
 * entries may be present (a secret being rotated); one matching is enough.
 */
export function verifyHoldfastWebhook(
  header: string | undefined,
  rawBody: string,
  secret: string,
  opts: { nowSeconds?: number; toleranceSeconds?: number } = {},
): { ok: true } | { ok: false; reason: WebhookRefusal } {
  if (!header) return { ok: false, reason: 'missing_signature' };
  const fields = header.split(',').map((p) => p.trim().split('=') as [string, string?]);
  const t = Number(fields.find(([k, v]) => k === 't' && /^\d+$/.test(v ?? ''))?.[1]);
  const sigs = fields.filter(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v ?? '')).map(([, v]) => v!);
  if (!Number.isFinite(t) || sigs.length === 0) return { ok: false, reason: 'malformed_signature' };
  const now = opts.nowSeconds ?? Date.now() / 1000;
  if (Math.abs(now - t) > (opts.toleranceSeconds ?? 300))
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return sigs.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected))
    ? { ok: true }
    : { ok: false, reason: 'signature_mismatch' };
}

/** One verified event, as the receiver got it. */
export interface ReceivedWebhook {
  id: string;
  event: string;
  appId: string;
  channel: string;
  uid?: number;
  reason?: string;
  cause?: string;
  role?: string;
  at: number;
  nodeId: string;
}

function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) resolve(undefined);
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * An HTTP server that verifies and hands each new event to `onEvent` once (by id; the set of
 * seen ids is kept for the process's life — keep it in your database in a real receiver).
 */
export function webhookReceiver(secret: string, onEvent: (e: ReceivedWebhook) => void): Server {
  const seen = new Set<string>();
  return createServer((req, res) => {
    const answer = (status: number, text?: string) => {
      res.writeHead(status, text ? { 'content-type': 'text/plain' } : {});
      res.end(text);
    };
    if (req.method !== 'POST') return answer(405, 'POST only');
    readBody(req).then(
      (body) => {
        if (body === undefined) return answer(413, 'body too large');
        const check = verifyHoldfastWebhook(
          req.headers['holdfast-signature'] as string | undefined,
          body,
          secret,
        );
        if (!check.ok) return answer(401, check.reason);
        let event: ReceivedWebhook;
        try {
          event = JSON.parse(body) as ReceivedWebhook;
        } catch {
          return answer(400, 'body is not JSON');
        }
        if (!seen.has(event.id)) {
          seen.add(event.id);
          onEvent(event);
        }
        answer(204);
      },
      () => answer(400, 'body unreadable'),
    );
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const secret = process.env.HOLDFAST_WEBHOOK_SECRET;
  if (!secret) {
    console.error('set HOLDFAST_WEBHOOK_SECRET to the secret Holdfast signs with');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  webhookReceiver(secret, (e) =>
    console.log(
      `${new Date(e.at).toISOString()} ${e.event} ${e.appId}/${e.channel}` +
        `${e.uid !== undefined ? ` uid=${e.uid}` : ''}${e.reason ? ` reason=${e.reason}` : ''}${e.cause ? ` cause=${e.cause}` : ''}` +
        ` from ${e.nodeId}`,
    ),
  ).listen(port, () => console.log(`webhook receiver on http://127.0.0.1:${port}/`));
}
