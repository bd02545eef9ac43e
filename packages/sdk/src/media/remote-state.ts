import type { MediaKind, TrackState } from '@holdfast/protocol';

/**
 * What this client sees of each remote member's audio and video: a pure reducer
 * `remoteTransition(state, event, now, wants) -> {state, effects}` (no IO, no timers; the
 * driver feeds it the server's media events, the subscriber connection's tracks and counter
 * samples, each with the clock's `now`).
 *
 * The phases are Agora's RemoteAudioState / RemoteVideoState, profile-neutral:
 * - stopped: not published ('muted' / 'off'), not wanted here, or no receiver for it;
 * - starting: published, wanted and received, nothing decoded yet;
 * - decoding: the counter (video framesDecoded, audio packetsReceived) is increasing;
 * - frozen: it stopped increasing for FREEZE_AFTER_MS while published and wanted;
 * - failed: the subscriber connection failed.
 */
export type RemotePhase = 'stopped' | 'starting' | 'decoding' | 'frozen' | 'failed';
export type RemoteCause =
  | 'internal'
  | 'network_congestion'
  | 'network_recovery'
  | 'local_muted'
  | 'local_unmuted'
  | 'remote_muted'
  | 'remote_unmuted'
  | 'remote_offline';

/** A counter that has not increased for this long while it should is a freeze (Agora counts 500 ms gaps). */
export const FREEZE_AFTER_MS = 600;

export interface RemoteTrack {
  /** What the member publishes (undefined: not told yet). */
  published: TrackState | undefined;
  /** A receiver for it is in the subscriber connection. */
  present: boolean;
  /** Last counter sample; undefined: the next sample is only a baseline (a reused receiver). */
  count: number | undefined;
  lastIncreaseAt: number | undefined;
  phase: RemotePhase;
  /** The reason last told with `phase`. */
  cause: RemoteCause;
  /** Why it is stopped, which names the reason it starts again with (remote_muted → remote_unmuted). */
  stoppedBy: RemoteCause;
  /** onFirstRemoteVideoDecoded was told (again after the member disabled video or went offline). */
  firstDecodedTold: boolean;
  frozenSince: number | undefined;
  frozenTotalMs: number;
  /** Since when it has been decoding at all (for the frozen rate). */
  activeSince: number | undefined;
  width: number;
  height: number;
}

export type RemoteUser = Readonly<Record<MediaKind, RemoteTrack>>;

export interface RemoteState {
  users: ReadonlyMap<number, RemoteUser>;
  /** The subscriber connection failed (every track that should flow is Failed). */
  transportFailed: boolean;
}

export const INITIAL_REMOTE: RemoteState = { users: new Map(), transportFailed: false };

export type RemoteEvent =
  /** The member's published state, from a `media` channel event or a subscriber offer's track list. */
  | { type: 'published'; uid: number; kind: MediaKind; state: TrackState }
  /** What this client wants changed (muteRemote…, auto-subscribe, the modules): re-check every track. */
  | { type: 'wants_changed' }
  /** A receiver for the track appeared in (or left) the subscriber connection; `reused`: it carried another member's before. */
  | { type: 'present'; uid: number; kind: MediaKind; present: boolean; reused?: boolean }
  /** A counter sample from getStats: video framesDecoded, audio packetsReceived. */
  | { type: 'sample'; uid: number; kind: MediaKind; count: number; width?: number; height?: number }
  | { type: 'transport'; failed: boolean }
  /** The subscriber connection was replaced (a fresh re-join): every receiver is gone. */
  | { type: 'transport_reset' }
  /** The media repair's reset: every receiver is replaced; tracks keep their phase meanwhile. */
  | { type: 'receivers_replaced' }
  | { type: 'offline'; uid: number }
  /** This client left the channel: forget everything, tell nothing. */
  | { type: 'reset' };

export type RemoteEffect =
  | { type: 'phase'; uid: number; kind: MediaKind; phase: RemotePhase; cause: RemoteCause }
  | { type: 'published'; uid: number; kind: MediaKind; from: TrackState | undefined; to: TrackState }
  | { type: 'first_decoded'; uid: number; width: number; height: number };

export interface RemoteTransition {
  state: RemoteState;
  effects: RemoteEffect[];
}

/** Whether this client wants `uid`'s `kind` (derived from the settings, see `wantsRemote`). */
export type Wants = (uid: number, kind: MediaKind) => boolean;

const KINDS: readonly MediaKind[] = ['audio', 'video'];

function newTrack(): RemoteTrack {
  return {
    published: undefined,
    present: false,
    count: 0,
    lastIncreaseAt: undefined,
    phase: 'stopped',
    cause: 'internal',
    stoppedBy: 'internal',
    firstDecodedTold: false,
    frozenSince: undefined,
    frozenTotalMs: 0,
    activeSince: undefined,
    width: 0,
    height: 0,
  };
}

export function remoteTransition(
  state: RemoteState,
  event: RemoteEvent,
  now: number,
  wants: Wants,
): RemoteTransition {
  const effects: RemoteEffect[] = [];
  const users = new Map(state.users);
  let transportFailed = state.transportFailed;
  const get = (uid: number): RemoteUser => users.get(uid) ?? { audio: newTrack(), video: newTrack() };
  const put = (uid: number, kind: MediaKind, t: RemoteTrack) => users.set(uid, { ...get(uid), [kind]: t });
  const ctx = (uid: number, kind: MediaKind, t: RemoteTrack) =>
    settle(t, uid, kind, now, wants(uid, kind), transportFailed, effects);

  switch (event.type) {
    case 'reset':
      return { state: INITIAL_REMOTE, effects };
    case 'published': {
      const { uid, kind } = event;
      const t = get(uid)[kind];
      if (t.published === event.state) return { state, effects };
      effects.push({ type: 'published', uid, kind, from: t.published, to: event.state });
      // Disabling (off) is what makes the next first frame a "first" again; a mute is not.
      const firstDecodedTold = event.state === 'off' ? false : t.firstDecodedTold;
      put(uid, kind, ctx(uid, kind, { ...t, published: event.state, firstDecodedTold }));
      break;
    }
    case 'present': {
      const { uid, kind } = event;
      const t = get(uid)[kind];
      if (t.present === event.present) return { state, effects };
      const count = event.present ? (event.reused ? undefined : 0) : t.count;
      put(uid, kind, ctx(uid, kind, { ...t, present: event.present, count }));
      break;
    }
    case 'wants_changed':
      for (const [uid, user] of state.users)
        for (const kind of KINDS) put(uid, kind, ctx(uid, kind, user[kind]));
      break;
    case 'sample': {
      const { uid, kind } = event;
      const t = users.get(uid)?.[kind];
      if (!t?.present) return { state, effects };
      put(uid, kind, sample(t, event, uid, kind, now, effects));
      break;
    }
    case 'transport':
      transportFailed = event.failed;
      for (const [uid, user] of state.users)
        for (const kind of KINDS) put(uid, kind, ctx(uid, kind, user[kind]));
      break;
    case 'transport_reset':
      // A fresh re-join: everything starts again (Stopped now, Starting and a "first" frame later).
      transportFailed = false;
      for (const [uid, user] of state.users)
        for (const kind of KINDS) {
          const t = user[kind];
          if (t.phase !== 'stopped')
            effects.push({ type: 'phase', uid, kind, phase: 'stopped', cause: 'internal' });
          const stopped =
            t.phase === 'stopped' ? t : { ...stopAccounting(t, now), phase: 'stopped' as const };
          put(uid, kind, {
            ...stopped,
            cause: 'internal',
            stoppedBy: 'internal',
            present: false,
            firstDecodedTold: false,
          });
        }
      break;
    case 'receivers_replaced':
      // The media repair's reset: the old connection (and its failure) is gone; tracks keep their
      // phase until the new receivers decode (absent, see settle).
      transportFailed = false;
      for (const [uid, user] of state.users)
        for (const kind of KINDS) put(uid, kind, ctx(uid, kind, { ...user[kind], present: false, count: 0 }));
      break;
    case 'offline': {
      const user = users.get(event.uid);
      if (!user) return { state, effects };
      for (const kind of KINDS) {
        const t = user[kind];
        if (t.phase !== 'stopped')
          effects.push({ type: 'phase', uid: event.uid, kind, phase: 'stopped', cause: 'remote_offline' });
      }
      users.delete(event.uid);
      break;
    }
  }
  return { state: { users, transportFailed }, effects };
}

/** Brings a track's phase in line with what is published, wanted and received. */
function settle(
  t: RemoteTrack,
  uid: number,
  kind: MediaKind,
  now: number,
  wanted: boolean,
  transportFailed: boolean,
  effects: RemoteEffect[],
): RemoteTrack {
  const blocked: RemoteCause | undefined =
    t.published !== undefined && t.published !== 'on'
      ? 'remote_muted'
      : !wanted
        ? 'local_muted'
        : t.published === undefined
          ? 'internal'
          : undefined;
  if (blocked) {
    if (t.phase === 'stopped') return { ...t, stoppedBy: blocked === 'internal' ? t.stoppedBy : blocked };
    effects.push({ type: 'phase', uid, kind, phase: 'stopped', cause: blocked });
    return { ...stopAccounting(t, now), phase: 'stopped', cause: blocked, stoppedBy: blocked };
  }
  // Published, wanted, and not (or no longer) in the subscriber connection: nothing received yet
  // stays Stopped; a track the server took out while its member still publishes it (a reset of
  // that member's media, or of this client's) keeps its phase — no packets, so Decoding is Frozen —
  // until its new receiver decodes (Decoding/NetworkRecovery), or an event says why it stopped.
  if (!t.present) {
    if (t.phase !== 'decoding') return t;
    effects.push({ type: 'phase', uid, kind, phase: 'frozen', cause: 'network_congestion' });
    return { ...t, phase: 'frozen', cause: 'network_congestion', frozenSince: t.lastIncreaseAt ?? now };
  }
  if (transportFailed) {
    if (t.phase === 'failed') return t;
    effects.push({ type: 'phase', uid, kind, phase: 'failed', cause: 'internal' });
    return { ...stopAccounting(t, now), phase: 'failed', cause: 'internal' };
  }
  if (t.phase !== 'stopped') return t;
  const cause: RemoteCause =
    t.stoppedBy === 'remote_muted'
      ? 'remote_unmuted'
      : t.stoppedBy === 'local_muted'
        ? 'local_unmuted'
        : 'internal';
  effects.push({ type: 'phase', uid, kind, phase: 'starting', cause });
  return { ...t, phase: 'starting', cause, lastIncreaseAt: undefined };
}

function stopAccounting(t: RemoteTrack, now: number): RemoteTrack {
  const frozenTotalMs = t.frozenTotalMs + (t.frozenSince !== undefined ? now - t.frozenSince : 0);
  return { ...t, frozenSince: undefined, frozenTotalMs, lastIncreaseAt: undefined };
}

function sample(
  t: RemoteTrack,
  e: Extract<RemoteEvent, { type: 'sample' }>,
  uid: number,
  kind: MediaKind,
  now: number,
  effects: RemoteEffect[],
): RemoteTrack {
  const size = e.width && e.height ? { width: e.width, height: e.height } : {};
  // A baseline (reused receiver) or a counter that went back (a new receiver): no increase.
  if (t.count === undefined || e.count < t.count) return { ...t, ...size, count: e.count };
  const increased = e.count > t.count;
  const next: RemoteTrack = {
    ...t,
    ...size,
    count: e.count,
    lastIncreaseAt: increased ? now : t.lastIncreaseAt,
  };
  const tell = (phase: RemotePhase, cause: RemoteCause) =>
    effects.push({ type: 'phase', uid, kind, phase, cause });
  switch (t.phase) {
    case 'starting':
      if (!increased) return next;
      tell('decoding', t.cause);
      if (kind === 'video' && !t.firstDecodedTold)
        effects.push({ type: 'first_decoded', uid, width: next.width, height: next.height });
      return { ...next, phase: 'decoding', firstDecodedTold: true, activeSince: t.activeSince ?? now };
    case 'decoding':
      if (increased || t.lastIncreaseAt === undefined || now - t.lastIncreaseAt < FREEZE_AFTER_MS)
        return next;
      tell('frozen', 'network_congestion');
      return { ...next, phase: 'frozen', cause: 'network_congestion', frozenSince: t.lastIncreaseAt };
    case 'frozen':
    case 'failed': {
      if (!increased) return next;
      tell('decoding', 'network_recovery');
      const since = t.frozenSince;
      return {
        ...next,
        phase: 'decoding',
        cause: 'network_recovery',
        frozenSince: undefined,
        frozenTotalMs: t.frozenTotalMs + (since !== undefined ? now - since : 0),
      };
    }
    default:
      return next;
  }
}

/** Frozen time so far, and its share of the time the track has been active (Agora totalFrozenTime / frozenRate). */
export function frozenStats(t: RemoteTrack, now: number): { totalFrozenTime: number; frozenRate: number } {
  const total = t.frozenTotalMs + (t.frozenSince !== undefined ? now - t.frozenSince : 0);
  const active = t.activeSince !== undefined ? now - t.activeSince : 0;
  return { totalFrozenTime: total, frozenRate: active > 0 ? Math.round((100 * total) / active) : 0 };
}
