import { type RunningServer, startServer } from '@holdfast/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, mediaBrowser, rawMediaPage } from './support/media-page.js';

/**
 * Receiver feedback between a Chromium publisher and the embedded SFU (BENCHMARKS.md "Receiver
 * feedback"): with what the server negotiates, Chromium's bandwidth estimate grows from its 300 kbit/s
 * start and its video is not held back for bandwidth. With werift's transport-cc feedback (the
 * configuration this guards against) the estimate stayed at or under 300 kbit/s and the video at
 * 320×240 limited by bandwidth. Bounds are generous: behaviour, not a target.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let server: RunningServer;
let browser: Awaited<ReturnType<typeof mediaBrowser>>;
let httpUrl: string;

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
  httpUrl = server.url.replace('ws://', 'http://');
  browser = await mediaBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The publisher connection's estimate and its video's quality limitation. */
const publisher = (page: Page) =>
  page.evaluate(async () => {
    const pc = (window as unknown as { pub: RTCPeerConnection }).pub;
    const o = { estimateKbps: 0, limit: '', height: 0, extmapTwcc: false };
    (await pc.getStats()).forEach((x) => {
      const r = x as unknown as Record<string, unknown>;
      if (r.type === 'candidate-pair' && r.nominated && r.availableOutgoingBitrate)
        o.estimateKbps = Math.round(Number(r.availableOutgoingBitrate) / 1000);
      if (r.type === 'outbound-rtp' && r.kind === 'video') {
        o.limit = String(r.qualityLimitationReason ?? '');
        o.height = Number(r.frameHeight ?? 0);
      }
    });
    o.extmapTwcc = /transport-wide-cc/.test(pc.remoteDescription?.sdp ?? '');
    return o;
  });

describe("a Chromium publisher's bandwidth estimate with the SFU as its receiver", () => {
  it('grows past its start and leaves the video unlimited by bandwidth; a subscriber decodes it', async () => {
    const pub = await rawMediaPage(browser.context, httpUrl, { channel: 'fb-1', uid: 1, publish: true });
    const sub = await rawMediaPage(browser.context, httpUrl, { channel: 'fb-1', uid: 2, publish: false });
    const deadline = Date.now() + 60_000;
    let last = await publisher(pub);
    while (!(last.estimateKbps > 450 && last.limit !== 'bandwidth') && Date.now() < deadline) {
      await sleep(1000);
      last = await publisher(pub);
    }
    expect(last.extmapTwcc).toBe(false);
    expect(last.estimateKbps).toBeGreaterThan(450);
    expect(last.limit).not.toBe('bandwidth');
    expect(last.height).toBe(240);
    const first = await inbound(sub);
    await sleep(2000);
    expect((await inbound(sub)).framesDecoded).toBeGreaterThan(first.framesDecoded);
    await pub.close();
    await sub.close();
  }, 90_000);
});
