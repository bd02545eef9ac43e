/**
 * Turns the server's observed events into per-member timelines: state bands (what the client
 * went through, from its own reports) and markers (each state change with its reason, and what
 * remote users saw: joined, offline with the reason). Pure: no DOM, tested on its own.
 */
import {
  CONNECTION_STATE_MEANINGS,
  type ConnectionStateName,
  OFFLINE_ADVICE,
  REPORTED_REASON_TO_AGORA,
  REPORTED_STATE_NAMES,
  reasonAdvice,
} from '@holdfast/protocol';
import type { ConsoleSnapshot, ObservedEvent } from '@holdfast/server';

/** A stretch of time the client spent in one state. `unknown`: nothing heard from the client. */
export interface Band {
  state: ConnectionStateName | 'unknown';
  from: number;
  to: number;
  /** `Interrupted(2)`; empty for an unknown stretch. */
  reason: string;
}

/** One thing that happened, placed on the member's lane. */
export interface Marker {
  id: string;
  at: number;
  /** `local`: the member's own state changes; `remote`: what other members saw. */
  row: 'local' | 'remote';
  kind: 'state' | 'joined' | 'offline' | 'resumed' | 'detached' | 'role';
  /** Short text drawn next to the marker. */
  label: string;
  /** Headline of the detail panel. */
  title: string;
  meaning: string;
  advice?: string;
  state?: ConnectionStateName;
}

export interface Lane {
  key: string;
  appId: string;
  channel: string;
  uid: number;
  bands: Band[];
  markers: Marker[];
  /** Latest known state. */
  state: ConnectionStateName | 'unknown';
  /** When anything was last heard from the client, server ms. */
  lastHeard: number;
  /** The server's session is over (the member left or was dropped) and no newer one began. */
  ended: boolean;
}

export const laneKey = (appId: string, channel: string, uid: number): string =>
  `${appId}\u0000${channel}\u0000${uid}`;

/** `Interrupted(2)` for a reported reason name (`interrupted`). */
export function reportedReasonLabel(name: string): string {
  const n = REPORTED_REASON_TO_AGORA[name];
  const advice = n === undefined ? undefined : reasonAdvice(n);
  return advice ? `${advice.name}(${advice.reason})` : name;
}

/**
 * The client's clock may differ from the server's. Reports about an outage arrive only after it,
 * but the newest report of a batch is sent as soon as it happens, so the smallest
 * (server receive time − client time) over a session is its clock offset plus the shortest delay.
 */
function clockOffsets(events: readonly ObservedEvent[]): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'client_state') continue;
    const d = e.at - e.clientAt;
    const prev = offsets.get(e.sessionId);
    if (prev === undefined || d < prev) offsets.set(e.sessionId, d);
  }
  return offsets;
}

function stateMarker(e: Extract<ObservedEvent, { type: 'client_state' }>, at: number, i: number): Marker {
  const state = REPORTED_STATE_NAMES[e.state];
  const n = REPORTED_REASON_TO_AGORA[e.reason];
  const advice = n === undefined ? undefined : reasonAdvice(n);
  const label = reportedReasonLabel(e.reason);
  return {
    id: `s${i}`,
    at,
    row: 'local',
    kind: 'state',
    label: advice?.name ?? e.reason,
    title: `${state} · ${label}`,
    meaning: advice?.meaning ?? CONNECTION_STATE_MEANINGS[state],
    ...(advice ? { advice: advice.advice } : {}),
    state,
  };
}

function serverMarker(e: ObservedEvent, i: number): Marker | undefined {
  const base = { id: `v${i}`, at: e.at, row: 'remote' as const };
  switch (e.type) {
    case 'joined': {
      const announced = e.profile === 'communication' || e.role === 'broadcaster';
      return {
        ...base,
        kind: 'joined',
        label: announced ? 'joined' : 'joined (silent)',
        title: `Joined as ${e.role}${e.sessionExpired ? ' (its old session had timed out)' : ''}`,
        meaning: announced
          ? 'Remote users received onUserJoined for this uid.'
          : 'An audience member in a live-broadcasting channel: remote users are not told.',
      };
    }
    case 'ended': {
      const off = OFFLINE_ADVICE[e.reason];
      return {
        ...base,
        kind: 'offline',
        label: `offline · ${off.name}`,
        title: `Remote users: onUserOffline(${off.name}(${off.reason}))${e.code ? ` — server code ${e.code}` : ''}`,
        meaning: off.meaning,
      };
    }
    case 'resumed':
      return {
        ...base,
        kind: 'resumed',
        label: 'resumed',
        title: 'Session resumed inside the offline window',
        meaning: 'The client came back in time: remote users saw nothing, and it got the events it missed.',
      };
    case 'detached':
      return {
        ...base,
        kind: 'detached',
        label: 'socket closed',
        title: 'The transport closed; the session waits',
        meaning:
          'The server saw the connection go. The session is kept for the offline window so the client can resume it.',
      };
    case 'role':
      return {
        ...base,
        kind: 'role',
        label: `→ ${e.role}`,
        title: `Role changed to ${e.role}`,
        meaning: 'In live broadcasting only broadcasters are announced to remote users.',
      };
    default:
      return undefined;
  }
}

export interface LaneOptions {
  now: number;
  /** Live details per session id (from the snapshot): when data last arrived. */
  lastSeen?: ReadonlyMap<string, number>;
  /** Nothing from a client for this long counts as not heard from (ms). */
  silentAfterMs: number;
  /** The app's remote offline window: a member dropped at T was last heard from at T minus this. */
  offlineAfterMs?: (appId: string) => number | undefined;
}

/** Builds one lane per (app, channel, uid) from the events, oldest first. */
export function buildLanes(events: readonly ObservedEvent[], opts: LaneOptions): Map<string, Lane> {
  const offsets = clockOffsets(events);
  const lanes = new Map<string, Lane>();
  const reports = new Map<string, Array<{ at: number; state: ConnectionStateName; reason: string }>>();
  events.forEach((e, i) => {
    const key = laneKey(e.appId, e.channel, e.uid);
    let lane = lanes.get(key);
    if (!lane) {
      lane = {
        key,
        appId: e.appId,
        channel: e.channel,
        uid: e.uid,
        bands: [],
        markers: [],
        state: 'unknown',
        lastHeard: e.at,
        ended: false,
      };
      lanes.set(key, lane);
      reports.set(key, []);
    }
    if (e.type !== 'ended' && e.type !== 'detached') lane.lastHeard = Math.max(lane.lastHeard, e.at);
    if (e.type === 'ended') {
      lane.ended = true;
      const window = e.reason === 'dropped' ? opts.offlineAfterMs?.(e.appId) : undefined;
      if (window !== undefined) lane.lastHeard = Math.max(lane.lastHeard, e.at - window);
    }
    if (e.type === 'joined' || e.type === 'resumed') lane.ended = false;
    const seen = opts.lastSeen?.get(e.sessionId);
    if (seen !== undefined && !lane.ended) lane.lastHeard = Math.max(lane.lastHeard, seen);
    if (e.type === 'client_state') {
      const at = Math.min(e.at, e.clientAt + (offsets.get(e.sessionId) ?? 0));
      lane.markers.push(stateMarker(e, at, i));
      reports
        .get(key)!
        .push({ at, state: REPORTED_STATE_NAMES[e.state], reason: reportedReasonLabel(e.reason) });
    } else {
      const m = serverMarker(e, i);
      if (m) lane.markers.push(m);
    }
  });

  for (const lane of lanes.values()) {
    // A socket that closes as its session ends says nothing the offline marker does not.
    const ends = lane.markers.filter((m) => m.kind === 'offline').map((m) => m.at);
    lane.markers = lane.markers.filter(
      (m) => m.kind !== 'detached' || !ends.some((t) => Math.abs(t - m.at) < 250),
    );
    const states = reports.get(lane.key)!.sort((a, b) => a.at - b.at);
    lane.markers.sort((a, b) => a.at - b.at);
    states.forEach((s, i) => {
      const next = states[i + 1];
      lane.bands.push({ state: s.state, from: s.at, to: next ? next.at : opts.now, reason: s.reason });
    });
    const last = lane.bands.at(-1);
    lane.state = last?.state ?? 'unknown';
    // The last reported state holds only while the client is heard from; after that the truth
    // is unknown until its reports arrive (they are sent once it is connected again).
    const terminal = last && (last.state === 'Disconnected' || last.state === 'Failed');
    if (last && !terminal && opts.now - lane.lastHeard > opts.silentAfterMs) {
      const cut = Math.max(last.from, lane.lastHeard);
      last.to = cut;
      lane.bands.push({ state: 'unknown', from: cut, to: opts.now, reason: '' });
      lane.state = 'unknown';
    }
  }
  return lanes;
}

/** Members' last-data times from a snapshot, by session id. */
export function lastSeenBySession(snapshot: ConsoleSnapshot | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const app of snapshot?.apps ?? [])
    for (const c of app.channels)
      for (const m of c.members) if (m.live) out.set(m.sessionId, m.live.lastSeenAt);
  return out;
}

/** One line of the event log. */
export function describeEvent(e: ObservedEvent): string {
  switch (e.type) {
    case 'client_state':
      return `client: ${REPORTED_STATE_NAMES[e.state]} · ${reportedReasonLabel(e.reason)}`;
    case 'joined':
      return `joined as ${e.role} (${e.profile}) from ${e.remote}${e.sessionExpired ? ', old session had timed out' : ''}`;
    case 'resumed':
      return `resumed from ${e.remote}`;
    case 'detached':
      return 'socket closed; session kept for the offline window';
    case 'ended': {
      const off = OFFLINE_ADVICE[e.reason];
      return `session ended: remote users saw offline ${off.name}(${off.reason})${e.code ? ` [${e.code}]` : ''}`;
    }
    case 'role':
      return `role → ${e.role}`;
  }
}
