import type {
  ServerFrame,
  WireErrorCode,
  WireOfflineReason,
  WireProfile,
  WireRole,
} from '@holdfast/protocol';
import { isAnnounced } from '../engine/types.js';
import { END_CAUSES, type EndCause } from './end-causes.js';
import { noteTakeover, takeoverEnd } from './flap.js';

/**
 * One server session's lifecycle as a pure machine: `sessionTransition(state, event, now)` returns
 * the next state and the effects to run, as data. Drivers (ChannelService for joins, frames and
 * leaves; ClusterControl for bus messages; Sweeper for time) feed it events and run its effects;
 * none of them ends a session or changes its lifecycle fields any other way.
 *
 *   joining ──attached──▶ attached ◀──attached (resume)── detached
 *      │                     │  └──────detached──────────────▶ │
 *      └────────── end(cause) from any phase ─────────▶ ended ◀┘
 *
 * `holds` records what the session has claimed so far (member record, session record, local
 * entry, channel watch): whatever ends it undoes exactly that, and a claim that completes after the
 * end (an engine call in flight) is undone as it lands. So a failure at any step leaves nothing.
 * `visible` records what the channel's other members see of its uid: a join that fails before its
 * announcement tells them nothing (they never heard of it), one that fails after tells them it left.
 */
export type SessionPhase = 'joining' | 'attached' | 'detached' | 'ended';

export interface Holds {
  member: boolean;
  session: boolean;
  local: boolean;
  watch: boolean;
}

export interface SessionState {
  readonly phase: SessionPhase;
  readonly holds: Readonly<Holds>;
  /** The transport attached or attaching (0: none). Ids are the driver's; the machine only compares them. */
  readonly attachment: number;
  readonly lastSeenAt: number;
  readonly tokenExpiresAt: number | undefined;
  readonly offlineAfterMs: number;
  readonly role: WireRole;
  readonly profile: WireProfile;
  /** When another transport took the session over, within the flap window (session/flap.ts). */
  readonly takeovers: readonly number[];
  /**
   * Whether the channel's other members see this uid present now: its `user_joined` (or an earlier
   * holder's, for a uid taken over) went out and no `user_offline` since. Only then does an end
   * tell them it went offline.
   */
  readonly visible: boolean;
  /** Why it ended (phase `ended`). */
  readonly cause?: EndCause;
}

export type SessionEvent =
  /** A claim of a join, resume or takeover succeeded. */
  | { type: 'held'; what: keyof Holds }
  /**
   * A fresh join's presence goes out: the others now see what its role and profile say
   * (`user_joined`; or `become_audience` for a uid it took over from a device that was announced).
   */
  | { type: 'announce' }
  /** A transport is attaching (a resume of a session this node holds); the previous one is replaced. */
  | { type: 'attaching'; attachment: number; tokenExpiresAt?: number }
  /** The `joined` frame went out on the attaching transport. */
  | { type: 'attached'; attachment: number; remote: string; resumed: boolean; sessionExpired?: boolean }
  | { type: 'detached'; attachment: number }
  /** A frame arrived from the client. */
  | { type: 'seen' }
  /** Time passed: the offline window and the token's expiry are checked. */
  | { type: 'sweep' }
  | { type: 'role_changed'; id: number; role: WireRole }
  | { type: 'token_renewed'; id: number; tokenExpiresAt: number | undefined }
  | { type: 'end'; cause: EndCause };

export type ObservedPayload =
  | { type: 'joined'; role: WireRole; profile: WireProfile; remote: string; sessionExpired: boolean }
  | { type: 'resumed'; remote: string }
  | { type: 'detached' }
  | { type: 'ended'; reason: WireOfflineReason | 'none'; code?: WireErrorCode }
  | { type: 'role'; role: WireRole };

export type SessionEffect =
  | { type: 'send'; attachment: number; frame: ServerFrame }
  | { type: 'end_transport'; attachment: number; code: WireErrorCode; message: string }
  | { type: 'drop_local' }
  | { type: 'unwatch' }
  | { type: 'delete_session' }
  /**
   * Removes the member if this session still holds it; if it was announced, publishes `user_offline`.
   * `cause`: how the session ended (webhooks report it).
   */
  | { type: 'release_member'; offline: WireOfflineReason | 'none'; cause: EndCause }
  /** Tells the node that held the session to let go of it (a claimed orphan). */
  | { type: 'notify_owner' }
  | {
      type: 'publish_event';
      event: { kind: 'user_joined' } | { kind: 'user_offline'; reason: WireOfflineReason };
    }
  | { type: 'observe'; event: ObservedPayload };

export interface Transition {
  state: SessionState;
  effects: SessionEffect[];
}

/**
 * Every combination of holds, built once: a state's `holds` is one of these 16 frozen objects, so
 * a session keeps none of its own (a live node holds one state per session for as long as it lives).
 */
const HOLDS: readonly Readonly<Holds>[] = Array.from({ length: 16 }, (_, bits) =>
  Object.freeze({ member: !!(bits & 1), session: !!(bits & 2), local: !!(bits & 4), watch: !!(bits & 8) }),
);
const holdsOf = (h: Holds): Readonly<Holds> =>
  HOLDS[(h.member ? 1 : 0) | (h.session ? 2 : 0) | (h.local ? 4 : 0) | (h.watch ? 8 : 0)]!;
const NOTHING = HOLDS[0]!;
/** The takeovers of a session never taken over: one frozen empty list for all of them. */
const NO_TAKEOVERS: readonly number[] = Object.freeze([]);

export function initialSession(init: {
  now: number;
  attachment: number;
  role: WireRole;
  profile: WireProfile;
  offlineAfterMs: number;
  tokenExpiresAt?: number | undefined;
  holds?: Partial<Holds>;
  phase?: 'joining' | 'detached';
  /** Takeovers already counted (a session taken over from another node brings its own). */
  takeovers?: readonly number[];
  /** What the others see of the uid already (a previous holder's announcement; a session taken over). */
  visible?: boolean;
}): SessionState {
  return {
    phase: init.phase ?? 'joining',
    holds: holdsOf({ ...NOTHING, ...init.holds }),
    attachment: init.attachment,
    lastSeenAt: init.now,
    tokenExpiresAt: init.tokenExpiresAt,
    offlineAfterMs: init.offlineAfterMs,
    role: init.role,
    profile: init.profile,
    takeovers: init.takeovers ?? NO_TAKEOVERS,
    visible: init.visible ?? false,
  };
}

/**
 * What ends a live session now, if anything: a token past its expiry first, then silence.
 * `seenAt`: a frame seen since that is not yet given to the machine as its `seen` event (the
 * driver batches them); the answer is the one the machine would give after that event.
 */
export function dueCause(s: SessionState, now: number, seenAt = s.lastSeenAt): EndCause | undefined {
  if (s.phase !== 'attached' && s.phase !== 'detached') return undefined;
  if (s.tokenExpiresAt !== undefined && now >= s.tokenExpiresAt) return 'token_expired';
  if (now - Math.max(seenAt, s.lastSeenAt) >= s.offlineAfterMs) return 'timed_out';
  return undefined;
}

/**
 * The earliest time {@link dueCause} may name a cause, as things stand (a frame or a renewed token
 * only moves it later): when to look at the session again. Undefined once it has ended. `seenAt`
 * as for {@link dueCause}.
 */
export function nextDueAt(s: SessionState, seenAt = s.lastSeenAt): number | undefined {
  if (s.phase === 'ended') return undefined;
  const silent = Math.max(seenAt, s.lastSeenAt) + s.offlineAfterMs;
  return s.tokenExpiresAt === undefined ? silent : Math.min(s.tokenExpiresAt, silent);
}

const same = (state: SessionState): Transition => ({ state, effects: [] });

export function sessionTransition(s: SessionState, e: SessionEvent, now: number): Transition {
  if (s.phase === 'ended') return e.type === 'held' ? undoLate(s, e.what) : same(s);
  switch (e.type) {
    case 'held':
      return same({ ...s, holds: holdsOf({ ...s.holds, [e.what]: true }) });
    case 'announce':
      return presence(s, s.role, []);
    case 'attaching': {
      // Another transport holds the session: it loses, retried by its client (`replaced`) unless
      // the session is flapping between two sockets (then `same_uid_login`, for good).
      if (s.attachment === 0 || s.attachment === e.attachment)
        return { state: attaching(s, e, now, s.takeovers), effects: [] };
      const { recent, flapping } = noteTakeover(s.takeovers, now);
      return {
        state: attaching(s, e, now, recent),
        effects: [{ type: 'end_transport', attachment: s.attachment, ...takeoverEnd(flapping) }],
      };
    }
    case 'attached': {
      if (s.phase !== 'joining' || e.attachment !== s.attachment) return same(s);
      const event: ObservedPayload = e.resumed
        ? { type: 'resumed', remote: e.remote }
        : {
            type: 'joined',
            role: s.role,
            profile: s.profile,
            remote: e.remote,
            sessionExpired: !!e.sessionExpired,
          };
      return { state: { ...s, phase: 'attached', lastSeenAt: now }, effects: [{ type: 'observe', event }] };
    }
    case 'detached': {
      if (e.attachment !== s.attachment) return same(s);
      const effects: SessionEffect[] = s.holds.local
        ? [{ type: 'observe', event: { type: 'detached' } }]
        : [];
      // Also while joining: the join's last steps find no transport, and the window runs from here.
      return { state: { ...s, phase: 'detached', attachment: 0 }, effects };
    }
    case 'seen':
      return same({ ...s, lastSeenAt: now });
    case 'sweep': {
      const cause = dueCause(s, now);
      return cause ? end(s, cause) : same(s);
    }
    case 'role_changed':
      return roleChanged(s, e.id, e.role);
    case 'token_renewed': {
      const frame: ServerFrame = {
        type: 'token_result',
        id: e.id,
        ok: true,
        ...(e.tokenExpiresAt ? { tokenExpiresAt: e.tokenExpiresAt } : {}),
      };
      return {
        state: { ...s, tokenExpiresAt: e.tokenExpiresAt },
        effects: s.attachment ? [{ type: 'send', attachment: s.attachment, frame }] : [],
      };
    }
    case 'end':
      return end(s, e.cause);
  }
}

function attaching(
  s: SessionState,
  e: Extract<SessionEvent, { type: 'attaching' }>,
  now: number,
  takeovers: readonly number[],
): SessionState {
  return {
    ...s,
    phase: 'joining',
    attachment: e.attachment,
    lastSeenAt: now,
    tokenExpiresAt: e.tokenExpiresAt ?? s.tokenExpiresAt,
    takeovers,
  };
}

/** The one way out: the cause's row says what the client is told, what others see, what is undone. */
function end(s: SessionState, cause: EndCause): Transition {
  const row = END_CAUSES[cause];
  const effects: SessionEffect[] = [];
  const { holds } = s;
  if (row.code && s.attachment !== 0)
    effects.push({
      type: 'end_transport',
      attachment: s.attachment,
      code: row.code,
      message: row.message(s.offlineAfterMs),
    });
  if (row.cleanup !== 'none') {
    if (holds.local) effects.push({ type: 'drop_local' });
    if (holds.watch) effects.push({ type: 'unwatch' });
  }
  if (row.observed)
    effects.push({
      type: 'observe',
      event: { type: 'ended', reason: row.offline, ...(row.code ? { code: row.code } : {}) },
    });
  if (row.cleanup === 'release') {
    if (holds.session) effects.push({ type: 'delete_session' });
    if (holds.member) effects.push({ type: 'release_member', offline: offlineSeen(s, row.offline), cause });
    if (row.notifyOwner) effects.push({ type: 'notify_owner' });
  }
  return { state: { ...s, phase: 'ended', attachment: 0, holds: NOTHING, cause }, effects };
}

/** A claim that completed after the session ended (its engine call was in flight): undo it now. */
function undoLate(s: SessionState, what: keyof Holds): Transition {
  const undo: Record<keyof Holds, SessionEffect> = {
    member: {
      type: 'release_member',
      offline: offlineSeen(s, END_CAUSES[s.cause ?? 'engine_failed'].offline),
      cause: s.cause ?? 'engine_failed',
    },
    session: { type: 'delete_session' },
    local: { type: 'drop_local' },
    watch: { type: 'unwatch' },
  };
  return { state: s, effects: [undo[what]] };
}

function roleChanged(s: SessionState, id: number, role: WireRole): Transition {
  const effects: SessionEffect[] = [];
  if (s.attachment)
    effects.push({
      type: 'send',
      attachment: s.attachment,
      frame: { type: 'role_result', id, ok: true, role },
    });
  if (role === s.role) return { state: s, effects };
  effects.push({ type: 'observe', event: { type: 'role', role } });
  return presence(s, role, effects);
}

/**
 * The session with `role`, and the presence event that brings what the others see in line with it:
 * `user_joined` when it becomes announced, `become_audience` when it stops being.
 */
function presence(s: SessionState, role: WireRole, effects: SessionEffect[]): Transition {
  const is = isAnnounced({ role, profile: s.profile });
  if (is && !s.visible) effects.push({ type: 'publish_event', event: { kind: 'user_joined' } });
  if (!is && s.visible)
    effects.push({ type: 'publish_event', event: { kind: 'user_offline', reason: 'become_audience' } });
  return { state: { ...s, role, visible: is }, effects };
}

/** What the others are told when the uid is let go: nothing if they do not see it. */
const offlineSeen = (s: SessionState, offline: WireOfflineReason | 'none'): WireOfflineReason | 'none' =>
  s.visible ? offline : 'none';
