import type { MediaKind } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import {
  FREEZE_AFTER_MS,
  frozenStats,
  INITIAL_REMOTE,
  type RemoteEffect,
  type RemoteEvent,
  type RemoteState,
  remoteTransition,
} from './remote-state.js';

const U = 7;
type Step = [at: number, event: RemoteEvent, effects: RemoteEffect[]];

/** Runs the steps in order, each at its time, checking each step's effects exactly. */
function run(steps: Step[], wants: (uid: number, kind: MediaKind) => boolean = () => true): RemoteState {
  let state = INITIAL_REMOTE;
  for (const [at, event, expected] of steps) {
    const result = remoteTransition(state, event, at, wants);
    expect(result.effects, `${event.type} at ${at}`).toEqual(expected);
    state = result.state;
  }
  return state;
}

const published = (kind: MediaKind, state: 'on' | 'muted' | 'off'): RemoteEvent => ({
  type: 'published',
  uid: U,
  kind,
  state,
});
const present = (kind: MediaKind, on = true): RemoteEvent => ({ type: 'present', uid: U, kind, present: on });
const sample = (kind: MediaKind, count: number): RemoteEvent => ({
  type: 'sample',
  uid: U,
  kind,
  count,
  width: 640,
  height: 360,
});
const phase = (kind: MediaKind, p: string, cause: string): RemoteEffect =>
  ({ type: 'phase', uid: U, kind, phase: p, cause }) as RemoteEffect;
const pub = (kind: MediaKind, from: string | undefined, to: string): RemoteEffect =>
  ({ type: 'published', uid: U, kind, from, to }) as RemoteEffect;

/** A member publishing video, received and decoding since t=100. */
const decodingVideo: Step[] = [
  [0, published('video', 'on'), [pub('video', undefined, 'on')]],
  [10, present('video'), [phase('video', 'starting', 'internal')]],
  [
    100,
    sample('video', 3),
    [phase('video', 'decoding', 'internal'), { type: 'first_decoded', uid: U, width: 640, height: 360 }],
  ],
];

describe('remote track machine (Agora RemoteVideoState / RemoteAudioState)', () => {
  it('published + received → Starting(Internal); first frames → Decoding(Internal) and one first-decoded', () => {
    run([...decodingVideo, [350, sample('video', 9), []]]);
  });

  it('no new frame for 600 ms → Frozen(NetworkCongestion); frames again → Decoding(NetworkRecovery); frozen time counted', () => {
    const state = run([
      ...decodingVideo,
      [350, sample('video', 3), []],
      [100 + FREEZE_AFTER_MS - 1, sample('video', 3), []],
      [100 + FREEZE_AFTER_MS, sample('video', 3), [phase('video', 'frozen', 'network_congestion')]],
      [1000, sample('video', 3), []],
      [1300, sample('video', 4), [phase('video', 'decoding', 'network_recovery')]],
    ]);
    const track = state.users.get(U)!.video;
    // Frozen from the last new frame (t=100) to the recovery (t=1300).
    expect(frozenStats(track, 1300).totalFrozenTime).toBe(1200);
    expect(frozenStats(track, 2300).frozenRate).toBe(Math.round((100 * 1200) / 2200));
  });

  it('audio freezes on packetsReceived the same way', () => {
    run([
      [0, published('audio', 'on'), [pub('audio', undefined, 'on')]],
      [0, present('audio'), [phase('audio', 'starting', 'internal')]],
      [50, sample('audio', 10), [phase('audio', 'decoding', 'internal')]],
      [700, sample('audio', 10), [phase('audio', 'frozen', 'network_congestion')]],
      [950, sample('audio', 30), [phase('audio', 'decoding', 'network_recovery')]],
    ]);
  });

  it('remote mute → Stopped(RemoteMuted); unmute → Starting then Decoding(RemoteUnmuted); no second first-decoded', () => {
    run([
      ...decodingVideo,
      [
        500,
        published('video', 'muted'),
        [pub('video', 'on', 'muted'), phase('video', 'stopped', 'remote_muted')],
      ],
      // No freeze while muted, however long.
      [5000, sample('video', 3), []],
      [
        6000,
        published('video', 'on'),
        [pub('video', 'muted', 'on'), phase('video', 'starting', 'remote_unmuted')],
      ],
      [6100, sample('video', 4), [phase('video', 'decoding', 'remote_unmuted')]],
    ]);
  });

  it('remote disable (off) and enable: Stopped(RemoteMuted), then a new first-decoded', () => {
    run([
      ...decodingVideo,
      [
        500,
        published('video', 'off'),
        [pub('video', 'on', 'off'), phase('video', 'stopped', 'remote_muted')],
      ],
      [
        900,
        published('video', 'on'),
        [pub('video', 'off', 'on'), phase('video', 'starting', 'remote_unmuted')],
      ],
      [
        1000,
        sample('video', 8),
        [
          phase('video', 'decoding', 'remote_unmuted'),
          { type: 'first_decoded', uid: U, width: 640, height: 360 },
        ],
      ],
    ]);
  });

  it('a member known as off from the start who enables → Starting(RemoteUnmuted)', () => {
    run([
      [0, published('video', 'off'), [pub('video', undefined, 'off')]],
      [10, published('video', 'on'), [pub('video', 'off', 'on')]],
      [20, present('video'), [phase('video', 'starting', 'remote_unmuted')]],
    ]);
  });

  it('local mute (muteRemoteVideoStream) → Stopped(LocalMuted); unmute → Starting/Decoding(LocalUnmuted)', () => {
    let wanted = true;
    const wants = () => wanted;
    let state = run(decodingVideo, wants);
    wanted = false;
    let r = remoteTransition(state, { type: 'wants_changed' }, 400, wants);
    expect(r.effects).toEqual([phase('video', 'stopped', 'local_muted')]);
    state = r.state;
    wanted = true;
    r = remoteTransition(state, { type: 'wants_changed' }, 900, wants);
    expect(r.effects).toEqual([phase('video', 'starting', 'local_unmuted')]);
    r = remoteTransition(r.state, sample('video', 20), 950, wants);
    expect(r.effects).toEqual([phase('video', 'decoding', 'local_unmuted')]);
  });

  it('offline → Stopped(RemoteOffline) for what was not stopped, and the member is forgotten', () => {
    const state = run([
      ...decodingVideo,
      [0, published('audio', 'muted'), [pub('audio', undefined, 'muted')]],
      [200, { type: 'offline', uid: U }, [phase('video', 'stopped', 'remote_offline')]],
    ]);
    expect(state.users.has(U)).toBe(false);
  });

  it('the subscriber connection failing → Failed(Internal); frames again → Decoding(NetworkRecovery)', () => {
    run([
      ...decodingVideo,
      [300, { type: 'transport', failed: true }, [phase('video', 'failed', 'internal')]],
      [400, { type: 'transport', failed: false }, []],
      [500, sample('video', 9), [phase('video', 'decoding', 'network_recovery')]],
    ]);
  });

  it('a receiver leaving the offer while still published → Frozen (a reset, see below); a reused receiver starts from a baseline', () => {
    run([
      ...decodingVideo,
      [300, present('video', false), [phase('video', 'frozen', 'network_congestion')]],
      [400, { type: 'present', uid: U, kind: 'video', present: true, reused: true }, []],
      // The reused receiver's counter is far along: the first sample is only its baseline.
      [450, sample('video', 500), []],
      [700, sample('video', 505), [phase('video', 'decoding', 'network_recovery')]],
    ]);
  });

  it('a fresh re-join drops every receiver: Stopped(Internal), and the next first frame is told again', () => {
    run([
      ...decodingVideo,
      [300, { type: 'transport_reset' }, [phase('video', 'stopped', 'internal')]],
      [400, present('video'), [phase('video', 'starting', 'internal')]],
      [
        500,
        sample('video', 2),
        [phase('video', 'decoding', 'internal'), { type: 'first_decoded', uid: U, width: 640, height: 360 }],
      ],
    ]);
  });

  it('nothing is told for a track that is not wanted, and a repeated state is no change', () => {
    run(
      [
        [0, published('video', 'on'), [pub('video', undefined, 'on')]],
        [0, published('video', 'on'), []],
        [10, present('video'), []],
        [20, sample('video', 5), []],
      ],
      () => false,
    );
  });

  it('reset forgets everything and tells nothing', () => {
    const state = run([...decodingVideo, [300, { type: 'reset' }, []]]);
    expect(state.users.size).toBe(0);
  });
});

describe('the media repair’s reset (receivers replaced)', () => {
  it('a frozen track stays Frozen while its receiver is replaced, and the new one decoding is Decoding(NetworkRecovery)', () => {
    run([
      ...decodingVideo,
      [800, sample('video', 3), [phase('video', 'frozen', 'network_congestion')]],
      // This client's reset: no Stopped, no Starting, no "first" again.
      [5000, { type: 'receivers_replaced' }, []],
      [5100, sample('video', 40), []],
      [6000, present('video'), []],
      [6250, sample('video', 2), [phase('video', 'decoding', 'network_recovery')]],
    ]);
  });

  it('a track the server takes out while its member still publishes it (that member reset) is Frozen, not Stopped, until it is back', () => {
    run([
      ...decodingVideo,
      [300, sample('video', 9), []],
      [400, present('video', false), [phase('video', 'frozen', 'network_congestion')]],
      [2000, present('video'), []],
      [2250, sample('video', 3), [phase('video', 'decoding', 'network_recovery')]],
    ]);
  });

  it('taken out, then told why: unpublished is Stopped/RemoteMuted, gone is Stopped/RemoteOffline', () => {
    run([
      ...decodingVideo,
      [400, present('video', false), [phase('video', 'frozen', 'network_congestion')]],
      [
        450,
        published('video', 'off'),
        [pub('video', 'on', 'off'), phase('video', 'stopped', 'remote_muted')],
      ],
    ]);
    run([
      ...decodingVideo,
      [400, present('video', false), [phase('video', 'frozen', 'network_congestion')]],
      [450, { type: 'offline', uid: U }, [phase('video', 'stopped', 'remote_offline')]],
    ]);
  });
});
