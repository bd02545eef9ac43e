import {
  ChannelProfileType,
  type ClientFrame,
  ClientRoleType,
  MAX_REPORTED_MEDIA_EVENTS,
  type ReportFrame,
  TestClock,
} from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { createRtcEngine } from '../engine/rtc-engine.js';
import { fakeEngineContext } from '../testing/fake-context.js';
import { FakePeers, fakeSdp } from '../testing/fake-peer.js';
import { FakeServer } from '../testing/fake-server.js';
import { INITIAL_LINK, type LinkState } from './link-machine.js';
import { linkSummary, MediaTelemetry, reportedMedia } from './media-report.js';
import type { MediaReport } from './session-stats.js';

const up = (extra: Partial<Extract<LinkState, { phase: 'up' }>> = {}): LinkState => ({
  ...INITIAL_LINK,
  phase: 'up',
  detectAt: undefined,
  peers: { publisher: 'connected', subscriber: 'connected' },
  ...extra,
});

const REPORT = {
  transport: { txKBitRate: 700, rxKBitRate: 650, txPacketLossRate: 0.5, rxPacketLossRate: 2, rttMs: 3.4 },
  txQuality: 1,
  rxQuality: 1,
  remote: [],
} as unknown as MediaReport;

describe('linkSummary: the media connection as the console shows it', () => {
  it.each([
    ['not in a channel', INITIAL_LINK, 'none'],
    ['in a channel, no connection yet', up({ peers: {} }), 'none'],
    ['a connection being set up', up({ peers: { publisher: 'connecting' } }), 'connecting'],
    ['every connection connected', up(), 'up'],
    ['a fault under 4 s', up({ detectAt: 4000, peers: { publisher: 'disconnected' } }), 'fault'],
    [
      'an outage told',
      { ...up(), phase: 'down', downAt: 1, step: 'ice_restart', resets: 0, lostTold: false } as LinkState,
      'down',
    ],
  ] as const)('%s → %s', (_what, state, want) => {
    expect(linkSummary(state)).toBe(want);
  });
});

describe('MediaTelemetry', () => {
  it('reports the figures (kbit/s, %, rounded RTT) and what is published', () => {
    expect(reportedMedia(REPORT, 'up', { audio: 'on', video: 'muted' })).toEqual({
      link: 'up',
      audio: 'on',
      video: 'muted',
      txKbps: 700,
      rxKbps: 650,
      txLoss: 0.5,
      rxLoss: 2,
      rttMs: 3,
    });
    expect(reportedMedia(REPORT, 'none', undefined)).toMatchObject({ audio: 'off', video: 'off' });
  });

  it('link changes and remote phases go with the next report, the latest 16, dropped once sent', () => {
    const t = new MediaTelemetry();
    const sent: ReportFrame[] = [];
    t.link(1, up({ peers: { publisher: 'connecting' } }));
    t.link(2, up({ peers: { publisher: 'connecting' } }));
    t.link(3, up());
    t.remote(4, 7, 'video', 'frozen');
    // Not connected: kept for the next one.
    t.report(REPORT, up(), undefined, () => false);
    t.report(REPORT, up(), undefined, (f) => sent.push(f) > 0);
    expect(sent[0]!.mediaEvents).toEqual([
      { at: 1, link: 'connecting' },
      { at: 3, link: 'up' },
      { at: 4, uid: 7, kind: 'video', phase: 'frozen' },
    ]);
    t.report(REPORT, up(), undefined, (f) => sent.push(f) > 0);
    expect(sent[1]!.mediaEvents).toBeUndefined();
    for (let i = 0; i < 40; i++) t.remote(10 + i, 7, 'audio', i % 2 ? 'frozen' : 'decoding');
    t.report(REPORT, up(), undefined, (f) => sent.push(f) > 0);
    expect(sent[2]!.mediaEvents).toHaveLength(MAX_REPORTED_MEDIA_EVENTS);
    expect(sent[2]!.mediaEvents!.at(-1)).toMatchObject({ at: 49 });
  });
});

describe('the engine sends the media report every stats window', () => {
  it('a broadcaster publishing sends report.media every 2 s with its link and published state', async () => {
    const clock = new TestClock();
    const server = new FakeServer();
    const peers = new FakePeers();
    const engine = createRtcEngine();
    engine.initialize(fakeEngineContext(server, clock, { peers }));
    const flush = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    engine.joinChannel('', 'room', 1, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileLiveBroadcasting,
    });
    const conn = server.latest().accept();
    await flush();
    conn.receive({ type: 'media_publish_answer', sdp: fakeSdp('answer', []) });
    await flush();
    peers.created[0]!.setConnectionState('connected');
    const reports = () =>
      conn.sent.filter((f: ClientFrame): f is ReportFrame => f.type === 'report' && f.media !== undefined);
    for (let ms = 0; ms < 4000; ms += 250) {
      conn.receive({ type: 'ka' });
      clock.advance(250);
      await flush();
    }
    expect(reports().length).toBeGreaterThanOrEqual(2);
    const last = reports().at(-1)!;
    expect(last.media).toMatchObject({ link: 'up', audio: 'on', video: 'off' });
    expect(reports().flatMap((r) => r.mediaEvents ?? [])).toContainEqual(
      expect.objectContaining({ link: 'up' }),
    );
    engine.release();
  });
});
