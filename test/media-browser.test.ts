import { ErrorCodeType, RemoteVideoStateReason as RVR, RemoteVideoState as RVS } from '@holdfast/protocol';
import { type RunningServer, startServer } from '@holdfast/server';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './support/chromium.js';

/**
 * The SDK's media layer in real headless Chromium (fake camera and microphone) over a real server
 * with its embedded SFU: pages load /demo (the call page, on the SDK's browser build), join one
 * channel and publish. What is checked is what the browser itself reports (getStats of the SDK's
 * own RTCPeerConnections, recorded by an init script) and the Agora callbacks the page received
 * (`window.demo.events`).
 */
let server: RunningServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let httpUrl: string;
const pages: Page[] = [];

type Event = [string, ...unknown[]];

/**
 * Runs in every page before its scripts: records each RTCPeerConnection and WebSocket the SDK
 * makes, every frame it sends (with the page's clock), the first time each inbound video track
 * decodes a frame (polled every 20 ms), and any CSP violation.
 */
function instrument(): void {
  const w = window as unknown as Record<string, unknown>;
  const pcs: RTCPeerConnection[] = [];
  const sent: Array<{ t: number; type: string }> = [];
  const firstDecoded: Record<string, number> = {};
  const csp: string[] = [];
  const sockets: WebSocket[] = [];
  w.__pcLog = [];
  const firstPacket: Record<string, number> = {};
  w.__firstPacket = firstPacket;
  // When each connection first reached 'connected', and which connection decoded each track.
  const connectedAt: number[] = [];
  const decodedOn: Record<string, number> = {};
  // The keyframe requests (PLIs) each track's receiver had sent when its first frame decoded.
  const plisAtDecode: Record<string, number> = {};
  Object.assign(w, { __connectedAt: connectedAt, __decodedOn: decodedOn, __plisAtDecode: plisAtDecode });
  Object.assign(w, { __pcs: pcs, __sent: sent, __firstDecoded: firstDecoded, __csp: csp, __ws: sockets });
  const Peer = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Peer {
    constructor(config?: RTCConfiguration) {
      super(config);
      pcs.push(this);
      const born = performance.now();
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') connectedAt[pcs.indexOf(this)] ??= performance.now();
        (w.__pcLog as string[]).push(
          `pc${pcs.indexOf(this)} ${this.connectionState} +${Math.round(performance.now() - born)} at ${Math.round(performance.now())}`,
        );
      });
    }
  } as typeof RTCPeerConnection;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    if (!sockets.includes(this)) sockets.push(this);
    if (typeof data === 'string')
      sent.push({ t: performance.now(), type: /"type":"([a-z_]+)"/.exec(data)?.[1] ?? '' });
    return send.call(this, data);
  };
  document.addEventListener('securitypolicyviolation', (e) =>
    csp.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  setInterval(async () => {
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded as number) > 0) {
          firstDecoded[String(s.trackIdentifier)] ??= performance.now();
          decodedOn[String(s.trackIdentifier)] ??= pcs.indexOf(pc);
          plisAtDecode[String(s.trackIdentifier)] ??= (s.pliCount as number) ?? 0;
        }
        if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.packetsReceived as number) > 0)
          firstPacket[String(s.trackIdentifier)] ??= performance.now();
      });
    }
  }, 20);
}

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
  httpUrl = server.url.replace('ws://', 'http://');
  browser = await launchChromium({ media: true });
  browser.context.setDefaultTimeout(15_000);
  await browser.context.addInitScript(instrument);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openDemo(channel: string, uid: number, query = ''): Promise<Page> {
  const page = await browser.context.newPage();
  pages.push(page);
  const ws = encodeURIComponent(server.url);
  await page.goto(`${httpUrl}/demo/?server=${ws}&channel=${channel}&uid=${uid}&join=1${query}`);
  await page.locator('#state[data-state="Connected"]').waitFor();
  return page;
}

const events = (page: Page): Promise<Event[]> =>
  page.evaluate(() => (window as unknown as { demo: { events: Event[] } }).demo.events);

/** Inbound totals over every RTCPeerConnection of the page. */
const inbound = (page: Page) =>
  page.evaluate(async () => {
    const totals = { framesDecoded: 0, videoPackets: 0, audioPackets: 0 };
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') {
          totals.framesDecoded += (s.framesDecoded as number) ?? 0;
          totals.videoPackets += (s.packetsReceived as number) ?? 0;
        } else totals.audioPackets += (s.packetsReceived as number) ?? 0;
      });
    }
    return totals;
  });

async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hasEvent = (page: Page, match: (e: Event) => boolean, what: string) =>
  until(
    what,
    () => events(page),
    (list) => list.some(match),
  );

describe('calls through /demo in real Chromium', () => {
  let a: Page;
  let b: Page;

  it('two pages publish camera and microphone: each decodes the other’s video and receives its audio', async () => {
    a = await openDemo('call', 1);
    b = await openDemo('call', 2);
    for (const page of [a, b]) {
      const first = await until(
        'frames decoded',
        () => inbound(page),
        (s) => s.framesDecoded > 5 && s.audioPackets > 0,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const later = await inbound(page);
      expect(later.framesDecoded).toBeGreaterThan(first.framesDecoded + 5);
      expect(later.audioPackets).toBeGreaterThan(first.audioPackets + 10);
    }
    // The SDK saw the same: the remote tile is Decoding, and the first frame was drawn.
    await a.locator('.tile.remote[data-uid="2"] [data-media="video"][data-state="Decoding"]').waitFor();
    await b.locator('.tile.remote[data-uid="1"] [data-media="audio"][data-state="Decoding"]').waitFor();
    await hasEvent(b, (e) => e[0] === 'onFirstRemoteVideoFrame' && e[1] === 1, 'first frame drawn');
    // The 2 s stats carry real figures.
    const stats = await hasEvent(
      b,
      (e) =>
        e[0] === 'onRemoteVideoStats' && ((e[1] as { receivedBitrate: number }).receivedBitrate ?? 0) > 0,
      'remote video stats',
    );
    const video = stats.filter((e) => e[0] === 'onRemoteVideoStats').at(-1)![1] as Record<string, number>;
    expect(video.uid).toBe(1);
    expect(video.width).toBeGreaterThan(0);
    expect(await b.locator('.tile.remote[data-uid="1"] .stats').textContent()).toMatch(/kbps .* loss .* RTT/);
  }, 60_000);

  it('muting the camera on one page: the other gets onUserMuteVideo(uid, true) and (Stopped, RemoteMuted); unmuting brings it back', async () => {
    await a.locator('#camera').click();
    await hasEvent(
      b,
      (e) => e[0] === 'onUserMuteVideo' && e[1] === 1 && e[2] === true,
      'onUserMuteVideo(1, true)',
    );
    await hasEvent(
      b,
      (e) =>
        e[0] === 'onRemoteVideoStateChanged' &&
        e[1] === 1 &&
        e[2] === RVS.RemoteVideoStateStopped &&
        e[3] === RVR.RemoteVideoStateReasonRemoteMuted,
      '(Stopped, RemoteMuted)',
    );
    // No frames while muted: nothing is sent at all (after the last frames in flight have played out).
    await new Promise((r) => setTimeout(r, 300));
    const muted = await inbound(b);
    await new Promise((r) => setTimeout(r, 700));
    expect((await inbound(b)).framesDecoded - muted.framesDecoded).toBeLessThan(3);
    const frozen = (await events(b)).filter(
      (e) => e[0] === 'onRemoteVideoStateChanged' && e[2] === RVS.RemoteVideoStateFrozen,
    );
    expect(frozen).toEqual([]);
    await a.locator('#camera').click();
    await hasEvent(
      b,
      (e) => e[0] === 'onUserMuteVideo' && e[1] === 1 && e[2] === false,
      'onUserMuteVideo(1, false)',
    );
    await hasEvent(
      b,
      (e) =>
        e[0] === 'onRemoteVideoStateChanged' &&
        e[1] === 1 &&
        e[2] === RVS.RemoteVideoStateDecoding &&
        e[3] === RVR.RemoteVideoStateReasonRemoteUnmuted,
      '(Decoding, RemoteUnmuted)',
    );
  }, 30_000);

  it('a late third page starts each remote video on a keyframe, within 1 s of its connection being up', async () => {
    const c = await openDemo('call', 3);
    const timing = await until(
      'two videos decoded',
      () =>
        c.evaluate(() => {
          const w = window as unknown as {
            __sent: Array<{ t: number; type: string }>;
            __firstDecoded: Record<string, number>;
          };
          const w2 = window as unknown as {
            __connectedAt: number[];
            __decodedOn: Record<string, number>;
            __plisAtDecode: Record<string, number>;
          };
          return {
            answers: w.__sent.filter((s) => s.type === 'media_answer').map((s) => s.t),
            decoded: Object.values(w.__firstDecoded),
            // Each first decoded frame after its connection reached 'connected'.
            afterConnected: Object.entries(w.__firstDecoded).map(
              ([id, at]) => at - (w2.__connectedAt[w2.__decodedOn[id]!] ?? Number.NaN),
            ),
            plisAtDecode: Object.values(w2.__plisAtDecode),
          };
        }),
      (v) => v.decoded.length >= 2,
    );
    // Where the time goes (page clock, ms): the connections' state changes, the frames sent, the
    // first packet and the first decoded frame of each remote video.
    const detail = await c.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const sent = w.__sent as Array<{ t: number; type: string }>;
      const round = (o: Record<string, number>) => Object.values(o).map(Math.round);
      return {
        connections: w.__pcLog,
        sent: sent.filter((x) => x.type.startsWith('media')).map((x) => `${x.type} at ${Math.round(x.t)}`),
        firstPacket: round(w.__firstPacket as Record<string, number>),
        firstDecoded: round(w.__firstDecoded as Record<string, number>),
      };
    });
    console.log('late joiner', JSON.stringify(detail));
    console.log(
      'late joiner: first frame',
      timing.decoded
        .map((t) => `${Math.round(t - timing.answers.filter((x) => x <= t).at(-1)!)} ms`)
        .join(', '),
      'after the subscriber answer;',
      timing.afterConnected.map((t) => `${Math.round(t)} ms`).join(', '),
      'after its connection was up; PLIs sent before it',
      timing.plisAtDecode.join(', '),
    );
    // What the server controls: the keyframe, once the connection is up. It is asked for then and
    // paced to what the publisher's encoder acts on, and nothing is forwarded before it
    // (keyframe-gate.ts, keyframe-pacer.ts), so the decoder starts on it without asking for one:
    // 5-458 ms after 'connected' measured here at load averages 16-28, no PLI. Before, the first
    // keyframe was lost (sent before the connection was up), delta frames came first and every
    // track's receiver sent PLIs (1 and 1, 453 and 1,290 ms after 'connected', in this test). One
    // track may still need a PLI when the machine is so loaded that packets are lost (seen once at
    // a load average of 20, with an ICE restart by the SDK), hence "some", and 1 s.
    expect(timing.plisAtDecode.filter((n) => n === 0).length).toBeGreaterThan(0);
    for (const t of timing.afterConnected) expect(t).toBeLessThan(1000);
    for (const at of timing.decoded) {
      const answer = timing.answers.filter((t) => t <= at).at(-1);
      expect(answer).toBeDefined();
      // From the answer the connection has to come up first (ICE, then DTLS in werift's JavaScript):
      // 60-140 ms on a quiet machine, 0.75-1.4 s at load averages 16-27 on this 2-core machine, so
      // the 1 s is asserted after 'connected' above and measured end to end in the
      // benchmark (BENCHMARKS.md); here the bound is behaviour, with room for that load.
      expect(at - answer!).toBeLessThan(3000);
    }
  }, 30_000);

  it('loads with no CSP violation', async () => {
    for (const page of pages)
      expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
  });
});

describe('live broadcasting', () => {
  it('an audience member publishes nothing, is refused if it tries anyway, and still receives the host', async () => {
    const host = await openDemo('live', 1, '&profile=live');
    const viewer = await openDemo('live', 2, '&profile=live&role=audience');
    await until(
      'viewer decodes',
      () => inbound(viewer),
      (s) => s.framesDecoded > 5 && s.audioPackets > 0,
    );
    const sent = await viewer.evaluate(
      () => (window as unknown as { __sent: Array<{ type: string }> }).__sent,
    );
    expect(sent.filter((s) => s.type === 'media_publish')).toEqual([]);
    expect(await viewer.locator('#mic').isDisabled()).toBe(true);
    // Tried anyway, with a real offer on the SDK's own connection: the server refuses it.
    await viewer.evaluate(async () => {
      const w = window as unknown as { __ws: WebSocket[] };
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      pc.addTransceiver(stream.getTracks()[0]!, { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      w.__ws.at(-1)!.send(JSON.stringify({ type: 'media_publish', sdp: pc.localDescription!.sdp }));
    });
    const list = await hasEvent(viewer, (e) => e[0] === 'onError', 'onError');
    expect(list.find((e) => e[0] === 'onError')!.slice(1, 2)).toEqual([ErrorCodeType.ErrRefused]);
    // The host never saw the audience member as a user, nor any of its media.
    const hostEvents = await events(host);
    expect(hostEvents.filter((e) => e[0] === 'onUserJoined')).toEqual([]);
    expect(hostEvents.filter((e) => e[0] === 'onRemoteVideoStateChanged')).toEqual([]);
  }, 60_000);
});

/** Each inbound video track of the page: its codec (from the codec stats) and decoder counters. */
const videoIn = (page: Page) =>
  page.evaluate(async () => {
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __plisAtDecode: Record<string, number> };
    const out: Array<{ track: string; mimeType: string; framesDecoded: number; plisAtDecode?: number }> = [];
    for (const pc of w.__pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
        const codec = report.get(s.codecId as string) as { mimeType?: string } | undefined;
        const track = String(s.trackIdentifier);
        out.push({
          track,
          mimeType: codec?.mimeType ?? '',
          framesDecoded: (s.framesDecoded as number) ?? 0,
          plisAtDecode: w.__plisAtDecode[track],
        });
      });
    }
    return out;
  });

/** The codec the page's camera is sent in (its outbound video RTP's codec). */
const videoOut = (page: Page) =>
  page.evaluate(async () => {
    const mimeTypes: string[] = [];
    for (const pc of (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video')
          mimeTypes.push(
            (report.get(s.codecId as string) as { mimeType?: string } | undefined)?.mimeType ?? '',
          );
      });
    }
    return mimeTypes;
  });

describe('H.264 (media.videoCodec)', () => {
  let h: Page;
  let v: Page;

  // The other tests' pages keep encoding and decoding: with them open (5 pages) the H.264 pages
  // took 18 s to decode at a load average of 27, and the late joiner's decoder sent 6 PLIs.
  beforeAll(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });

  it('a page sending H.264 and one sending VP8 decode each other, each track in its publisher codec', async () => {
    h = await openDemo('h264', 21, '&videoCodec=h264');
    v = await openDemo('h264', 22);
    const decoding = (page: Page, mimeType: string) =>
      until(
        `${mimeType} decoded`,
        () => videoIn(page),
        (list) => list.some((t) => t.mimeType === mimeType && t.framesDecoded > 5),
      );
    const first = { onV: await decoding(v, 'video/H264'), onH: await decoding(h, 'video/VP8') };
    await new Promise((r) => setTimeout(r, 1000));
    const later = { onV: await videoIn(v), onH: await videoIn(h) };
    console.log('H.264 call', JSON.stringify({ first, later }));
    // One remote video each, in the codec its publisher sends, still decoding a second later.
    expect(later.onV.map((t) => t.mimeType)).toEqual(['video/H264']);
    expect(later.onH.map((t) => t.mimeType)).toEqual(['video/VP8']);
    expect(later.onV[0]!.framesDecoded).toBeGreaterThan(first.onV[0]!.framesDecoded + 5);
    expect(later.onH[0]!.framesDecoded).toBeGreaterThan(first.onH[0]!.framesDecoded + 5);
    expect(await videoOut(h)).toEqual(['video/H264']);
    expect(await videoOut(v)).toEqual(['video/VP8']);
    await v.locator('.tile.remote[data-uid="21"] [data-media="video"][data-state="Decoding"]').waitFor();
  }, 60_000);

  it('a late joiner starts the H.264 track on a keyframe (SPS, PPS, IDR forwarded first: no PLI needed)', async () => {
    const late = await openDemo('h264', 23);
    const tracks = await until(
      'both videos decoded',
      () => videoIn(late),
      (list) => list.filter((t) => t.framesDecoded > 0 && t.plisAtDecode !== undefined).length >= 2,
    );
    console.log('H.264 late joiner', JSON.stringify(tracks));
    const h264 = tracks.find((t) => t.mimeType === 'video/H264');
    expect(h264).toBeDefined();
    expect(tracks.find((t) => t.mimeType === 'video/VP8')).toBeDefined();
    // Its decoder started on what the server forwarded first: had the gate let a delta frame or an
    // IDR without its SPS and PPS through first, the decoder would have asked for a keyframe.
    expect(h264!.plisAtDecode).toBe(0);
  }, 60_000);
});
