import type { ObservedEvent } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { describeEvent } from './markers.js';
import { MEDIA_STALE_MS, mediaCells } from './media-markers.js';
import { buildLanes, laneKey } from './model.js';

const base = { node: 'n1', appId: 'demo', channel: 'room', sessionTag: 's1', uid: 1 };
const T = 1_000_000;

/** uid 1's client (clock 500 ms behind the server's) reports its media going down and back. */
const events: ObservedEvent[] = [
  { ...base, at: T, type: 'client_state', state: 'connected', reason: 'join_success', clientAt: T - 500 },
  { ...base, at: T + 2000, type: 'client_media', clientAt: T + 1000, link: 'up' },
  {
    ...base,
    at: T + 8000,
    type: 'client_media',
    clientAt: T + 7400,
    remoteUid: 2,
    kind: 'video',
    phase: 'frozen',
  },
  { ...base, at: T + 8000, type: 'client_media', clientAt: T + 7450, link: 'fault' },
  { ...base, at: T + 12_000, type: 'client_media', clientAt: T + 11_450, link: 'down' },
];

describe('media state changes on the member’s timeline', () => {
  const lane = buildLanes(events, { now: T + 13_000, silentAfterMs: 60_000 }).get(
    laneKey('demo', 'room', 1),
  )!;
  const media = lane.markers.filter((m) => m.kind === 'media');

  it('each reported change is a marker on the member’s own row, at its time on the server’s clock', () => {
    expect(media.map((m) => [m.at - T, m.label, m.row])).toEqual([
      [1500, 'media up', 'local'],
      [7900, 'uid 2 video frozen', 'local'],
      [7950, 'media fault', 'local'],
      [11_950, 'media down', 'local'],
    ]);
    expect(media.at(-1)).toMatchObject({ title: 'Media connection: down', media: 'down' });
    expect(media.at(-1)!.advice).toMatch(/media ports/);
    expect(media[1]!.meaning).toMatch(/uid 2's video is frozen/);
  });

  it('media markers do not change the connection-state bands (the client reported Connected throughout)', () => {
    expect(lane.bands.map((b) => b.state)).toEqual(['Connected']);
    expect(lane.state).toBe('Connected');
  });

  it('the event log has a line for each', () => {
    expect(describeEvent(events[3]!)).toMatch(/^client media: fault — /);
    expect(describeEvent(events[2]!)).toBe('client media: uid 2 video frozen');
  });
});

describe('mediaCells: the member row’s media column', () => {
  const info = {
    link: 'up',
    audio: 'on',
    video: 'muted',
    txKbps: 812.4,
    rxKbps: 40,
    txLoss: 0,
    rxLoss: 1.5,
    rttMs: 3,
    at: T,
  } as const;

  it('shows what is published, the rates, loss, RTT and the link', () => {
    expect(mediaCells(info, T + 1000)).toEqual({
      publishing: 'audio + video (muted)',
      rates: '↑ 812 kbps · ↓ 40 kbps',
      loss: '0 % / 1.5 %',
      rtt: '3 ms',
      link: 'up',
      stale: false,
    });
  });

  it('nothing published, no RTT yet, a stale report, no report at all', () => {
    const c = mediaCells({ ...info, audio: 'off', video: 'off', rttMs: undefined }, T + MEDIA_STALE_MS + 1);
    expect(c).toMatchObject({ publishing: 'nothing', rtt: '–', stale: true });
    expect(mediaCells(undefined, T)).toBeUndefined();
  });
});
