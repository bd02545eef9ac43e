import type { ServerContext } from '../context.js';

/** The landing page's links: what this node serves, as configured. */
export function landingLinks(ctx: Pick<ServerContext, 'options'>): Array<{ href: string; what: string }> {
  const o = ctx.options;
  const links: Array<{ href: string; what: string }> = [];
  if (o.console !== false) {
    links.push({
      href: '/console/',
      what: 'console: apps, channels, members and their connection timelines',
    });
    links.push({ href: '/demo/', what: 'demo: the SDK in this browser, joining a channel' });
  }
  links.push({ href: '/healthz', what: 'health (liveness, JSON)' });
  links.push({ href: '/readyz', what: 'readiness (JSON; 503 while draining or the engine is unreachable)' });
  if (o.metrics !== false) links.push({ href: '/metrics', what: 'Prometheus metrics' });
  return links;
}

const html = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small HTML page for `GET /`: what this is, and where to go (no data about the server's state). */
export function landingHtml(ctx: Pick<ServerContext, 'options' | 'nodeId'>): string {
  const items = landingLinks(ctx)
    .map((l) => `<li><a href="${l.href}">${html(l.href)}</a> — ${html(l.what)}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Holdfast</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; line-height: 1.5">
<h1>Holdfast</h1>
<p>A Holdfast server (node <code>${html(ctx.nodeId)}</code>). SDK clients connect to this address with
<code>ws://</code> (or <code>wss://</code> with TLS).</p>
<ul>
${items}
</ul>
</body></html>
`;
}

/** Registers `GET /` (and HEAD): the landing page. */
export function registerLandingPage(ctx: ServerContext): void {
  const body = landingHtml(ctx);
  for (const method of ['GET', 'HEAD'])
    ctx.router.add(method, '/', (req, res) => {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
}
