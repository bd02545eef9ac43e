import { type RunningServer, startServer } from '@holdfast/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, mediaBrowser, rawMediaPage } from './support/media-page.js';

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

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(100);
  }
}

describe('the embedded SFU forwards real WebRTC media between Chromium pages', () => {
  it('two pages publish and subscribe: each decodes the other’s video and receives its audio', async () => {
    const a = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-2', uid: 1, publish: true });
    const b = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-2', uid: 2, publish: true });
    for (const p of [a, b]) {
      const first = await until(
        'frames decoded',
        () => inbound(p),
        (s) => s.framesDecoded > 5,
      );
      const later = await until(
        'more frames',
        () => inbound(p),
        (s) => s.framesDecoded > first.framesDecoded + 10,
      );
      expect(later.audioPackets).toBeGreaterThan(first.audioPackets);
    }
    await a.close();
    await b.close();
  }, 60_000);

  it('an audience member in live broadcasting cannot publish; it receives the broadcaster', async () => {
    const host = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-live',
      uid: 1,
      publish: true,
      profile: 'live',
    });
    const viewer: Page = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-live',
      uid: 2,
      publish: true,
      role: 'audience',
      profile: 'live',
    });
    const err = await viewer.evaluate(() =>
      (window as unknown as { frames_: Array<{ type: string; code?: string }> }).frames_.find(
        (f) => f.type === 'media_error',
      ),
    );
    expect(err?.code).toBe('not_broadcaster');
    await until(
      'viewer decodes',
      () => inbound(viewer),
      (s) => s.framesDecoded > 5,
    );
    await host.close();
    await viewer.close();
  }, 60_000);
});

describe('media paths break and heal without the signalling', () => {
  it('a publisher cut at the server for 3 s: the subscriber freezes, then decodes again (keyframe on resume)', async () => {
    const a = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-cut', uid: 1, publish: true });
    const b = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-cut', uid: 2, publish: false });
    await until(
      'b decodes',
      () => inbound(b),
      (s) => s.framesDecoded > 10,
    );
    server.media!.block({ appId: 'demo', channel: 'sfu-cut' }, 1, true);
    await sleep(500);
    const frozen = await inbound(b);
    await sleep(2500);
    expect((await inbound(b)).framesDecoded - frozen.framesDecoded).toBeLessThan(3);
    server.media!.block({ appId: 'demo', channel: 'sfu-cut' }, 1, false);
    const healedAt = Date.now();
    await until(
      'b decodes again',
      () => inbound(b),
      (s) => s.framesDecoded > frozen.framesDecoded + 10,
    );
    // The watchdog asks for a keyframe within ~25 ms of RTP coming back (measured); Chromium then
    // decoded again 0.5–3.7 s after the cut ended on this loaded 2-core machine.
    expect(Date.now() - healedAt).toBeLessThan(5000);
    await a.close();
    await b.close();
  }, 60_000);

  it('a subscriber that resets its media gets every track again on new connections and decodes again', async () => {
    const a = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-reset', uid: 1, publish: true });
    const b = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-reset', uid: 2, publish: false });
    await until(
      'b decodes',
      () => inbound(b),
      (s) => s.framesDecoded > 10,
    );
    const resetAt = Date.now();
    await b.evaluate(() => (window as unknown as { resetMedia: () => void }).resetMedia());
    await until(
      'decoding on the new connection',
      () => inbound(b),
      (s) => s.framesDecoded > 5,
    );
    // Measured 1.0–1.6 s here; the bound leaves room for a loaded CI machine.
    expect(Date.now() - resetAt).toBeLessThan(5000);
    await a.close();
    await b.close();
  }, 60_000);

  it('an echo test plays the page its own audio and video back after the interval, and no sooner', async () => {
    const page = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-echo',
      uid: 7,
      publish: true,
      echo: 2000,
    });
    const started = await page.evaluate(() => (window as unknown as { publishedAt: number }).publishedAt);
    await sleep(1200);
    // Nothing comes back before the interval.
    expect((await inbound(page)).framesDecoded).toBe(0);
    const back = await until(
      'own video back',
      () => inbound(page),
      (s) => s.framesDecoded > 5 && s.audioPackets > 20,
    );
    expect(back.framesDecoded).toBeGreaterThan(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    await page.close();
  }, 60_000);

  it('a subscriber repairs its path with an ICE restart of its own: every track stays, video goes on', async () => {
    const a = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-restart', uid: 1, publish: true });
    const b = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-restart',
      uid: 2,
      publish: false,
    });
    await until(
      'b decodes',
      () => inbound(b),
      (s) => s.framesDecoded > 10,
    );
    const ufrag = () =>
      b.evaluate(
        () =>
          /a=ice-ufrag:(\S+)/.exec(
            (window as unknown as { sub: RTCPeerConnection }).sub.remoteDescription!.sdp,
          )?.[1],
      );
    const before = await ufrag();
    await b.evaluate(() => (window as unknown as { repairSub: () => Promise<void> }).repairSub());
    await until('new ICE credentials from the server', ufrag, (u) => u !== before);
    const after = await inbound(b);
    await until(
      'decoding after the restart',
      () => inbound(b),
      (s) => s.framesDecoded > after.framesDecoded + 10,
    );
    await a.close();
    await b.close();
  }, 60_000);

  it('an H.264 track stays H.264 through the subscriber’s ICE restart (its offer lists every codec it decodes)', async () => {
    const a = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-h264-restart',
      uid: 1,
      publish: true,
      videoCodec: 'h264',
    });
    const b = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-h264-restart',
      uid: 2,
      publish: false,
    });
    const videoCodecs = () =>
      b.evaluate(async () => {
        const sub = (window as unknown as { sub: RTCPeerConnection }).sub;
        const report = await sub.getStats();
        const out: string[] = [];
        report.forEach((s: Record<string, unknown>) => {
          if (s.type === 'inbound-rtp' && s.kind === 'video')
            out.push((report.get(s.codecId as string) as { mimeType?: string } | undefined)?.mimeType ?? '');
        });
        return out;
      });
    await until(
      'b decodes',
      () => inbound(b),
      (s) => s.framesDecoded > 10,
    );
    expect(await videoCodecs()).toEqual(['video/H264']);
    const sdps = () =>
      b.evaluate(() => {
        const sub = (window as unknown as { sub: RTCPeerConnection }).sub;
        const m = (sdp = '') => ({
          video: /m=video [^\r\n]*/.exec(sdp)?.[0] ?? '',
          ufrag: /a=ice-ufrag:(\S+)/.exec(sdp)?.[1],
        });
        return { offer: m(sub.localDescription?.sdp).video, answer: m(sub.remoteDescription?.sdp) };
      });
    const before = (await sdps()).answer.ufrag;
    await b.evaluate(() => (window as unknown as { repairSub: () => Promise<void> }).repairSub());
    const restart = await until(
      'new ICE credentials from the server',
      sdps,
      (v) => v.answer.ufrag !== before,
    );
    console.log('H.264 ICE restart', JSON.stringify(restart));
    // Chromium's restart offer lists every video codec it decodes; the answer keeps the track's one.
    expect(restart.offer.split(' ').length).toBeGreaterThan(4);
    expect(restart.answer.video.split(' ')).toHaveLength(4);
    const after = await inbound(b);
    await until(
      'decoding after the restart',
      () => inbound(b),
      (s) => s.framesDecoded > after.framesDecoded + 10,
    );
    expect(await videoCodecs()).toEqual(['video/H264']);
    await a.close();
    await b.close();
  }, 60_000);

  it('a subscriber that cannot decode H.264 still gets everything else (the H.264 m-section is rejected, not the answer)', async () => {
    const h = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-no-h264',
      uid: 1,
      publish: true,
      videoCodec: 'h264',
    });
    const v = await rawMediaPage(browser.context, httpUrl, { channel: 'sfu-no-h264', uid: 2, publish: true });
    const b = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-no-h264',
      uid: 3,
      publish: false,
      noH264: true,
    });
    // VP8 video decoded and both publishers' audio received.
    const decoded = await until(
      'VP8 video and two audio tracks',
      () =>
        b.evaluate(async () => {
          const report = await (window as unknown as { sub: RTCPeerConnection }).sub.getStats();
          const out: Array<{ kind: string; packets: number; frames: number }> = [];
          report.forEach((s: Record<string, unknown>) => {
            if (s.type === 'inbound-rtp')
              out.push({
                kind: String(s.kind),
                packets: (s.packetsReceived as number) ?? 0,
                frames: (s.framesDecoded as number) ?? 0,
              });
          });
          return out;
        }),
      (list) =>
        list.filter((t) => t.kind === 'audio' && t.packets > 20).length === 2 &&
        list.some((t) => t.kind === 'video' && t.frames > 10),
    );
    expect(decoded.filter((t) => t.kind === 'video')).toHaveLength(1);
    const frames = await b.evaluate(
      () => (window as unknown as { frames_: Array<{ type: string }> }).frames_,
    );
    expect(frames.filter((f) => f.type === 'media_error')).toEqual([]);
    // Its answer rejected the H.264 m-section (port 0), and only that one.
    const ports = await b.evaluate(() =>
      [
        ...(window as unknown as { sub: RTCPeerConnection }).sub.localDescription!.sdp.matchAll(
          /^m=(\w+) (\d+)/gm,
        ),
      ].map((m) => `${m[1]} ${m[2] === '0' ? 'rejected' : 'open'}`),
    );
    expect(ports.filter((p) => p.endsWith('rejected'))).toEqual(['video rejected']);
    await h.close();
    await v.close();
    await b.close();
  }, 60_000);

  it('a member leaving, then another joining, keeps every subscriber’s offers valid (no rejected m-section)', async () => {
    const watcher = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-churn',
      uid: 9,
      publish: false,
    });
    const first = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-churn',
      uid: 1,
      publish: true,
    });
    await until(
      'watcher decodes 1',
      () => inbound(watcher),
      (s) => s.framesDecoded > 5,
    );
    // A leave (a closed page would stay a member for the offline window).
    await first.evaluate(() => (window as unknown as { ws: WebSocket }).ws.send('{"type":"leave"}'));
    await sleep(300);
    await first.close();
    const second = await rawMediaPage(browser.context, httpUrl, {
      channel: 'sfu-churn',
      uid: 2,
      publish: true,
    });
    const before = await inbound(watcher);
    await until(
      'watcher decodes 2',
      () => inbound(watcher),
      (s) => s.framesDecoded > before.framesDecoded + 10,
    );
    const sdp = await watcher.evaluate(
      () => (window as unknown as { sub: RTCPeerConnection }).sub.remoteDescription!.sdp,
    );
    // The left member's m-sections stay idle, not rejected (port 0), which Chromium refused when first.
    expect(sdp).not.toMatch(/^m=\w+ 0 /m);
    await second.close();
    await watcher.close();
  }, 60_000);
});
