import {
  ErrorCodeType as E,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
} from '@holdfast/protocol';
import { type RunningServer, startServer } from '@holdfast/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mediaBrowser } from './support/media-page.js';

/**
 * Agora's echo test end to end: the SDK's browser build in headless Chromium (fake camera and
 * microphone) runs startEchoTest({ intervalInSeconds: 2 }) against a real server; what is checked
 * is what the browser itself reports (getStats of the SDK's own RTCPeerConnections, sampled every
 * 50 ms by an init script) and the callbacks the page received.
 */
let server: RunningServer;
let browser: Awaited<ReturnType<typeof mediaBrowser>>;
let httpUrl: string;

/** Page clock (ms) when each figure was first seen non-zero, over every RTCPeerConnection made. */
interface Firsts {
  audioSent?: number;
  videoSent?: number;
  audioReceived?: number;
  videoDecoded?: number;
}

/** Runs in the page before its scripts: records each RTCPeerConnection and when media first flowed. */
function instrument(): void {
  const w = window as unknown as { __pcs: RTCPeerConnection[]; __firsts: Firsts };
  const pcs: RTCPeerConnection[] = [];
  const firsts: Firsts = {};
  w.__pcs = pcs;
  w.__firsts = firsts;
  const Peer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Peer {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
    }
  } as typeof RTCPeerConnection;
  setInterval(async () => {
    const now = performance.now();
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && (s.packetsSent as number) > 0)
          firsts[s.kind === 'audio' ? 'audioSent' : 'videoSent'] ??= now;
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && (s.packetsReceived as number) > 0)
          firsts.audioReceived ??= now;
        if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded as number) > 0)
          firsts.videoDecoded ??= now;
      });
    }
  }, 50);
}

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
  httpUrl = server.url.replace('ws://', 'http://');
  browser = await mediaBrowser();
  await browser.context.addInitScript(instrument);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Event = [string, ...unknown[]];

/**
 * A page with the SDK's browser build loaded and `count` engines initialized (broadcasters), each
 * recording its callbacks in `window.engines[i].events` (the connection argument dropped).
 */
async function sdkPage(count: number): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${httpUrl}/demo/`);
  // A string, so that vitest does not rewrite the import (and the page's CSP allows no inline script).
  await page.evaluate("import('/demo/holdfast-sdk.js').then((m) => { window.sdk = m; })");
  await page.evaluate(
    ({ count, serverUrl }) => {
      // biome-ignore lint/suspicious/noExplicitAny: the browser build's exports, untyped here
      const sdk = (window as any).sdk;
      const list: Array<{ engine: unknown; events: Event[] }> = [];
      for (let i = 0; i < count; i++) {
        const engine = sdk.createRtcEngine();
        const events: Event[] = [];
        engine.initialize({ appId: 'demo', serverUrl });
        engine.setClientRole(sdk.ClientRoleType.ClientRoleBroadcaster);
        engine.registerEventHandler(
          new Proxy(
            {},
            {
              get: (_t, name) =>
                typeof name === 'string' && name.startsWith('on')
                  ? (...args: unknown[]) => events.push([name, ...args.slice(1)])
                  : undefined,
            },
          ),
        );
        list.push({ engine, events });
      }
      (window as unknown as { engines: typeof list }).engines = list;
    },
    { count, serverUrl: server.url },
  );
  return page;
}

/** Calls `method(...args)` on engine `i` of the page; returns what it returned. */
const call = (page: Page, i: number, method: string, ...args: unknown[]) =>
  page.evaluate(
    ({ i, method, args }) => {
      const w = window as unknown as {
        engines: Array<{ engine: Record<string, (...a: unknown[]) => number> }>;
      };
      const engine = w.engines[i]!.engine;
      return engine[method]!(...args);
    },
    { i, method, args },
  );

const states = (page: Page, i: number) =>
  page.evaluate(
    (i) =>
      (window as unknown as { engines: Array<{ events: Event[] }> }).engines[i]!.events.filter(
        (e) => e[0] === 'onConnectionStateChanged',
      ).map((e) => [e[1], e[2]] as [number, number]),
    i,
  );

const firsts = (page: Page) => page.evaluate(() => (window as unknown as { __firsts: Firsts }).__firsts);

describe('startEchoTest in Chromium', () => {
  it('plays the page its own audio and video back after 2 s and no sooner; stopEchoTest, then joinChannel works', async () => {
    const page = await sdkPage(2);
    const rc = await page.evaluate(() => {
      const view = document.createElement('div');
      view.id = 'echo-view';
      document.body.append(view);
      const w = window as unknown as { engines: Array<{ engine: { startEchoTest(c: object): number } }> };
      return w.engines[0]!.engine.startEchoTest({
        channelId: 'echo-e2e',
        intervalInSeconds: 2,
        enableAudio: true,
        enableVideo: true,
        view,
      });
    });
    expect(rc).toBe(0);
    // While the test runs joinChannel is refused at once.
    expect(await call(page, 0, 'joinChannel', '', 'room-after', 5, {})).toBe(-E.ErrInvalidState);
    const back = await vi.waitFor(
      async () => {
        const f = await firsts(page);
        if (f.audioReceived === undefined || f.videoDecoded === undefined) throw new Error(JSON.stringify(f));
        return f;
      },
      { timeout: 20_000, interval: 100 },
    );
    // The server's delay line holds every packet 2 s: nothing comes back sooner than that after the
    // first one went out (the 50 ms sampling can see the first sent late, and a busy page samples
    // late too: the bound allows two samples — without the delay line it comes back in ~50 ms).
    const audioDelay = back.audioReceived! - back.audioSent!;
    const videoDelay = back.videoDecoded! - back.videoSent!;
    console.log(
      `echo: own audio back ${Math.round(audioDelay)} ms, own video decoded ${Math.round(videoDelay)} ms after first sent`,
    );
    expect(audioDelay).toBeGreaterThanOrEqual(1900);
    expect(videoDelay).toBeGreaterThanOrEqual(1900);
    // And it keeps coming: audio packets grow, the echoed video is drawn in the view.
    await vi.waitFor(
      async () => {
        const drawn = await page.evaluate(() => {
          const v = document.querySelector('#echo-view video') as HTMLVideoElement | null;
          return v ? v.videoWidth : 0;
        });
        expect(drawn).toBeGreaterThan(0);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(await states(page, 0)).toEqual([
      [S.ConnectionStateConnecting, R.ConnectionChangedEchoTest],
      [S.ConnectionStateConnected, R.ConnectionChangedEchoTest],
    ]);

    // A second engine of the same page joining the test's channel reaches the server: refused.
    expect(await call(page, 1, 'joinChannel', '', 'echo-e2e', 9, {})).toBe(0);
    await vi.waitFor(
      async () =>
        expect(await states(page, 1)).toContainEqual([
          S.ConnectionStateFailed,
          R.ConnectionChangedRejectedByServer,
        ]),
      { timeout: 10_000, interval: 100 },
    );

    expect(await call(page, 0, 'stopEchoTest')).toBe(0);
    expect((await states(page, 0)).at(-1)).toEqual([
      S.ConnectionStateDisconnected,
      R.ConnectionChangedEchoTest,
    ]);
    expect(await call(page, 0, 'stopEchoTest')).toBe(-E.ErrRefused);
    expect(await call(page, 0, 'joinChannel', '', 'room-after', 5, {})).toBe(0);
    await vi.waitFor(
      async () =>
        expect((await states(page, 0)).at(-1)).toEqual([
          S.ConnectionStateConnected,
          R.ConnectionChangedJoinSuccess,
        ]),
      { timeout: 10_000, interval: 100 },
    );
    // The test's channel is free again once the tester left: the second engine may join it now.
    await call(page, 1, 'leaveChannel');
    expect(await call(page, 1, 'joinChannel', '', 'echo-e2e', 9, {})).toBe(0);
    await vi.waitFor(
      async () =>
        expect((await states(page, 1)).at(-1)).toEqual([
          S.ConnectionStateConnected,
          R.ConnectionChangedJoinSuccess,
        ]),
      { timeout: 10_000, interval: 100 },
    );
    await page.close();
  }, 90_000);
});
