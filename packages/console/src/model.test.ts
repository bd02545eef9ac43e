import type { ObservedEvent } from '@holdfast/server';
import { describe, expect, it } from 'vitest';
import { describeEvent } from './markers.js';
import { buildLanes, laneKey } from './model.js';

const base = { node: 'n1', appId: 'demo', channel: 'room', sessionTag: 's1' };
const T = 1_000_000;

/** The seed's T0–T7 story for uid 1, as the server observes it (short timings). */
function outage(): ObservedEvent[] {
  return [
    {
      ...base,
      uid: 2,
      sessionTag: 's2',
      at: T - 50,
      type: 'joined',
      role: 'broadcaster',
      profile: 'communication',
      remote: 'b',
      sessionExpired: false,
    },
    {
      ...base,
      uid: 1,
      at: T,
      type: 'joined',
      role: 'broadcaster',
      profile: 'communication',
      remote: 'a',
      sessionExpired: false,
    },
    // The client's clock runs 500 ms behind the server's; its reports arrive 5 ms after they happen.
    {
      ...base,
      uid: 1,
      at: T + 5,
      type: 'client_state',
      state: 'connecting',
      reason: 'connecting',
      clientAt: T - 520,
    },
    {
      ...base,
      uid: 1,
      at: T + 5,
      type: 'client_state',
      state: 'connected',
      reason: 'join_success',
      clientAt: T - 500,
    },
    { ...base, uid: 1, at: T + 3000, type: 'ended', reason: 'dropped', code: 'session_expired' },
    // Back after the window: its report of the whole outage arrives at once.
    {
      ...base,
      uid: 1,
      sessionTag: 's3',
      at: T + 6000,
      type: 'joined',
      role: 'broadcaster',
      profile: 'communication',
      remote: 'a',
      sessionExpired: true,
    },
    {
      ...base,
      uid: 1,
      sessionTag: 's3',
      at: T + 6005,
      type: 'client_state',
      state: 'reconnecting',
      reason: 'interrupted',
      clientAt: T + 500,
    },
    {
      ...base,
      uid: 1,
      sessionTag: 's3',
      at: T + 6005,
      type: 'client_state',
      state: 'reconnecting',
      reason: 'keepalive_timeout',
      clientAt: T + 5490,
    },
    {
      ...base,
      uid: 1,
      sessionTag: 's3',
      at: T + 6005,
      type: 'client_state',
      state: 'connected',
      reason: 'rejoin_success',
      clientAt: T + 5500,
    },
  ];
}

describe('console timeline model', () => {
  it('draws the client-reported states as bands, on the server clock, with reasons', () => {
    const lastSeen = new Map([['s3', T + 7900]]);
    const lanes = buildLanes(outage(), { now: T + 8000, silentAfterMs: 1000, lastSeen });
    const lane = lanes.get(laneKey('demo', 'room', 1))!;
    expect(lane.bands.map((b) => [b.state, b.reason, b.from - T, b.to - T])).toEqual([
      ['Connecting', 'Connecting(0)', -15, 5],
      ['Connected', 'JoinSuccess(1)', 5, 1005],
      ['Reconnecting', 'Interrupted(2)', 1005, 5995],
      ['Reconnecting', 'KeepAliveTimeout(14)', 5995, 6005],
      ['Connected', 'RejoinSuccess(15)', 6005, 8000],
    ]);
    expect(lane.state).toBe('Connected');
    const interrupted = lane.markers.find((m) => m.label === 'Interrupted')!;
    expect(interrupted).toMatchObject({
      row: 'local',
      state: 'Reconnecting',
      title: 'Reconnecting · Interrupted(2)',
    });
    expect(interrupted.advice).toMatch(/rejoins automatically/);
  });

  it('puts what remote users saw on the second row: joined, then offline Dropped, then joined again', () => {
    const lane = buildLanes(outage(), { now: T + 8000, silentAfterMs: 1000 }).get(
      laneKey('demo', 'room', 1),
    )!;
    expect(lane.markers.filter((m) => m.row === 'remote').map((m) => [m.label, m.at - T])).toEqual([
      ['joined', 0],
      ['offline · Dropped', 3000],
      ['joined', 6000],
    ]);
    expect(lane.markers.find((m) => m.kind === 'offline')!.title).toBe(
      'Remote users: onUserOffline(Dropped(1)) — server code session_expired',
    );
  });

  it('during an outage, shows the last reported state until the client was last heard from, then unknown', () => {
    const during = outage().slice(0, 5);
    const lane = buildLanes(during, {
      now: T + 4000,
      silentAfterMs: 1000,
      offlineAfterMs: () => 2500,
    }).get(laneKey('demo', 'room', 1))!;
    // Dropped at T+3000 with a 2.5 s window: last heard from at T+500.
    expect(lane.bands.map((b) => [b.state, b.from - T, b.to - T])).toEqual([
      ['Connecting', -15, 5],
      ['Connected', 5, 500],
      ['unknown', 500, 4000],
    ]);
    expect(lane.state).toBe('unknown');
    expect(lane.ended).toBe(true);
  });

  it('describes each event for the log', () => {
    const lines = outage().map(describeEvent);
    expect(lines[3]).toBe('client: Connected · JoinSuccess(1)');
    expect(lines[4]).toBe('session ended: remote users saw offline Dropped(1) [session_expired]');
  });

  it('does not stretch a state over a stretch the server lost track of, and ends a lane that quit', () => {
    const events: ObservedEvent[] = [
      {
        ...base,
        uid: 3,
        at: T,
        type: 'joined',
        role: 'broadcaster',
        profile: 'communication',
        remote: 'a',
        sessionExpired: false,
      },
      {
        ...base,
        uid: 3,
        at: T + 5,
        type: 'client_state',
        state: 'connected',
        reason: 'join_success',
        clientAt: T + 5,
      },
      // The page was closed: the socket went, and the same uid joined again later on a new session.
      { ...base, uid: 3, at: T + 2000, type: 'detached' },
      {
        ...base,
        uid: 3,
        sessionTag: 's9',
        at: T + 6000,
        type: 'joined',
        role: 'broadcaster',
        profile: 'communication',
        remote: 'a',
        sessionExpired: false,
      },
      { ...base, uid: 3, at: T + 6001, type: 'ended', reason: 'kicked', code: 'same_uid_login' },
      {
        ...base,
        uid: 3,
        sessionTag: 's9',
        at: T + 6010,
        type: 'client_state',
        state: 'connecting',
        reason: 'connecting',
        clientAt: T + 5990,
      },
      {
        ...base,
        uid: 3,
        sessionTag: 's9',
        at: T + 6010,
        type: 'client_state',
        state: 'connected',
        reason: 'join_success',
        clientAt: T + 6010,
      },
      { ...base, uid: 3, sessionTag: 's9', at: T + 8000, type: 'ended', reason: 'quit' },
    ];
    const lane = buildLanes(events, { now: T + 9000, silentAfterMs: 1000 }).get(laneKey('demo', 'room', 3))!;
    expect(lane.bands.map((b) => [b.state, b.reason, b.from - T, b.to - T])).toEqual([
      ['Connected', 'JoinSuccess(1)', 5, 2000],
      ['unknown', '', 2000, 5990],
      ['Connecting', 'Connecting(0)', 5990, 6010],
      ['Connected', 'JoinSuccess(1)', 6010, 8000],
      ['Disconnected', 'LeaveChannel(5)', 8000, 9000],
    ]);
    expect(lane.state).toBe('Disconnected');
    // Remote users saw no change when the uid was taken over by a new connection.
    const replaced = lane.markers.find((m) => m.kind === 'replaced')!;
    expect(replaced.label).toBe('replaced (same uid)');
    expect(lane.markers.filter((m) => m.kind === 'offline').map((m) => m.label)).toEqual(['offline · Quit']);
  });

  it('marks data-stream refusals on the row of what remote users saw, with the count and the advice', () => {
    const events: ObservedEvent[] = [
      ...outage().slice(0, 4),
      { ...base, uid: 1, at: T + 100, type: 'stream_refused', code: 'too_large', streamId: 1, count: 1 },
      { ...base, uid: 1, at: T + 1200, type: 'stream_refused', code: 'too_often', streamId: 2, count: 57 },
    ];
    const lane = buildLanes(events, { now: T + 2000, silentAfterMs: 5000 }).get(laneKey('demo', 'room', 1))!;
    const refused = lane.markers.filter((m) => m.kind === 'stream_refused');
    expect(refused.map((m) => [m.row, m.label, m.at - T])).toEqual([
      ['remote', 'refused', 100],
      ['remote', 'refused ×57', 1200],
    ]);
    expect(refused[1]!.title).toBe('57 data-stream messages refused: too_often (stream 2)');
    expect(refused[1]!.meaning).toMatch(/^More than 60 messages in 1 s on one stream/);
    expect(refused[1]!.advice).toMatch(/less often/);
    expect(describeEvent(events[4]!)).toBe(
      '1 data-stream message refused on stream 1: too_large — A message over 1,024 bytes (ErrSizeTooLarge, 114).',
    );
    // A refusal is the client talking to the server: it does not make the client silent.
    expect(lane.bands.at(-1)!.state).toBe('Connected');
  });
});
