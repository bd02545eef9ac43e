import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { type FaultProxy, startFaultProxy } from './support/fault-proxy.js';
import { RecordingClient } from './support/recorder.js';

/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core), against a real
 * server behind admin credentials. Two SDK clients join one channel: uid 2 in Node, uid 1 in a
 * Chromium page (the /demo page, running the SDK's browser build) that reaches the server
 * through the fault proxy. The proxy cuts uid 1's network; the console must show what happened
 * on uid 1's timeline: Reconnecting with reason Interrupted, then what remote users saw (offline,
 * Dropped). The screenshot at the end is the README's docs/console.png (UPDATE_SCREENSHOTS=1 refreshes it).
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = { customerId: 'ops', customerSecret: 'console-test-secret' };
// Short timings: the server pings every 250 ms and drops a silent member after 2.5 s; the browser
// client is Interrupted after 1 s of silence and Lost 1.5 s later.
const TIMING = { keepaliveMs: 250, offlineAfterMs: 2500 };
const CLIENT = 'interruptedAfterMs=1000&lostAfterMs=1500&connectTimeoutMs=1500';

let server: RunningServer;
let proxy: FaultProxy;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>>;
const peers: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }],
    timing: TIMING,
    admin: ADMIN,
    logLevel: 'silent',
  });
  proxy = await startFaultProxy({ targetPort: server.port });
  browser = await launchChromium({
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
    httpCredentials: { username: ADMIN.customerId, password: ADMIN.customerSecret },
  });
  context = browser.context;
  context.setDefaultTimeout(10_000);
}, 90_000);

afterAll(async () => {
  for (const p of peers) p.release();
  await browser?.close();
  await proxy?.close();
  await server?.close();
});

const lane = (page: Page, uid: number) => page.locator(`.timeline .lane[data-uid="${uid}"]`);

describe('web console (real Chromium)', () => {
  it('needs the admin credentials for the console and its data; the demo page stays open', async () => {
    const plain = await fetch(`${server.httpUrl}/console/api/snapshot`);
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toContain('Basic');
    expect((await fetch(`${server.httpUrl}/console/`)).status).toBe(401);
    const auth = `Basic ${Buffer.from(`${ADMIN.customerId}:${ADMIN.customerSecret}`).toString('base64')}`;
    const ok = await fetch(`${server.httpUrl}/console/api/snapshot`, { headers: { authorization: auth } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { snapshot: { apps: Array<{ appId: string }> } }).snapshot.apps).toEqual([
      expect.objectContaining({ appId: 'demo' }),
    ]);
    expect((await fetch(`${server.httpUrl}/demo/`)).status).toBe(200);
    expect((await fetch(`${server.httpUrl}/demo/holdfast-sdk.js`)).headers.get('content-type')).toMatch(
      /^text\/javascript/,
    );
    expect(
      (await fetch(`${server.httpUrl}/console/..%2F..%2Fpackage.json`, { headers: { authorization: auth } }))
        .status,
    ).toBe(404);
  });

  it('shows a browser client cut off: Reconnecting (Interrupted) on its timeline, then the remote offline event', async () => {
    const consolePage = await context.newPage();
    await consolePage.goto(`${server.httpUrl}/console/`);
    await consolePage.locator('#live.on').waitFor();

    const node = new RecordingClient({ appId: 'demo', serverUrl: server.url });
    peers.push(node);
    expect(node.join('lab', 2)).toBe(0);
    await node.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);

    // uid 1: the SDK's browser build in a Chromium page, through the fault proxy.
    const demo = await context.newPage();
    const serverParam = encodeURIComponent(proxy.url);
    await demo.goto(`${server.httpUrl}/demo/?server=${serverParam}&channel=lab&uid=1&join=1&${CLIENT}`);
    await demo.locator('#state[data-state="Connected"]').waitFor();
    await demo.locator('#log li[data-kind="user-joined"][data-uid="2"]').waitFor();
    await node.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 1);

    await consolePage.locator('table.members tr[data-uid="1"]').waitFor();
    await consolePage.locator('table.members tr[data-uid="2"]').waitFor();
    await lane(consolePage, 1).locator('.marker[data-kind="joined"]').waitFor();
    // Let the bands grow a little before the cut, so the picture reads well.
    await consolePage.waitForTimeout(2000);

    proxy.setMode('blackhole');
    await demo
      .locator('#log li[data-kind="state"][data-state="Reconnecting"][data-reason="Interrupted"]')
      .waitFor({ timeout: 5000 });
    const dropped = await node.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 1, 8000);
    expect(dropped.args).toEqual([1, 1]); // UserOfflineDropped
    const offline = lane(consolePage, 1).locator(
      '.marker[data-kind="offline"][data-label="offline · Dropped"]',
    );
    await offline.waitFor({ timeout: 5000 });
    // Until uid 1 reports again, the console says it has no data rather than guessing.
    await lane(consolePage, 1).locator('rect[fill="url(#hatch)"]').first().waitFor({ timeout: 5000 });

    proxy.setMode('pass');
    await demo
      .locator('#log li[data-kind="state"][data-state="Connected"][data-reason="RejoinSuccess"]')
      .waitFor({ timeout: 10_000 });
    // The client's own report of the outage arrives once it is connected again.
    const interrupted = lane(consolePage, 1).locator('.marker[data-kind="state"][data-label="Interrupted"]');
    await interrupted.waitFor({ timeout: 5000 });
    const band = lane(consolePage, 1).locator('.band rect', { hasText: 'Reconnecting · Interrupted(2)' });
    await expect.poll(() => band.count(), { timeout: 5000 }).toBeGreaterThan(0);
    const [cutX, offX] = [(await interrupted.boundingBox())!.x, (await offline.boundingBox())!.x];
    expect(cutX).toBeLessThan(offX); // Interrupted (≈1 s after the cut) before Dropped (≈2.5 s after)
    await lane(consolePage, 1).locator('.marker[data-kind="state"][data-label="RejoinSuccess"]').waitFor();
    await expect.poll(() => lane(consolePage, 1).locator('.marker[data-kind="joined"]').count()).toBe(2);
    await expect.poll(() => lane(consolePage, 2).locator('.marker[data-kind="offline"]').count()).toBe(0);

    // Click the Interrupted marker: the detail panel gives the meaning and the advice.
    // The demo page opened last is in front; a background tab gets no animation frames to click in.
    await consolePage.bringToFront();
    await interrupted.locator('text').click();
    const detail = consolePage.locator('#detail');
    await expect.poll(() => detail.textContent()).toContain('Reconnecting · Interrupted(2)');
    expect(await detail.textContent()).toContain('What to do: Wait: the SDK rejoins automatically.');

    // The event log, filtered to uid 1, lists only uid 1's events.
    await consolePage.fill('.log input[name="uid"]', '1');
    const uids = await consolePage.locator('.log tbody tr td:nth-child(3)').allTextContents();
    expect(uids.length).toBeGreaterThan(3);
    expect(new Set(uids)).toEqual(new Set(['1']));

    await consolePage.locator('.log input[name="uid"]').blur();
    await consolePage.waitForTimeout(1500); // a little Connected after the rejoin
    mkdirSync(join(ROOT, 'docs'), { recursive: true });
    // Always saved under test-results/; UPDATE_SCREENSHOTS=1 also refreshes the README's copy.
    await consolePage.screenshot({ path: join(ROOT, 'test-results/console.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1')
      await consolePage.screenshot({ path: join(ROOT, 'docs/console.png'), fullPage: true });
  }, 60_000);
});
