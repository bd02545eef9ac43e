/**
 * Turns the server's observed events into per-member timelines: state bands (what the client
 * went through, from its own reports) and markers (each state change with its reason, and what
 * remote users saw). Pure: no DOM, tested on its own.
 *
 * Where the server lost track of a client (its socket closed, its session ended) and no report
 * covers that stretch, the band says so ("unknown") instead of stretching the last reported
 * state over it; a client that left (Quit) is Disconnected from then on.
 */
import { type ConnectionStateName, REPORTED_STATE_NAMES } from '@holdfast/protocol';
import type { ObservedEvent } from '@holdfast/server';
import { isReplaced, type Marker, reportedReasonLabel, serverMarker, stateMarker } from './markers.js';
import { mediaMarker } from './media-markers.js';

export type { Marker } from './markers.js';

/** A stretch of time the client spent in one state. `unknown`: nothing heard from the client. */
export interface Band {
  state: ConnectionStateName | 'unknown';
  from: number;
  to: number;
  /** `Interrupted(2)`; empty for an unknown stretch. */
  reason: string;
  /** Not reported by the client but inferred from what the server saw. */
  inferred?: boolean;
}

/** A band while building: `open` when no later report of the same engine closes it. */
type Building = Band & { open: boolean };

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

export interface LaneOptions {
  now: number;
  /** When data last arrived per session (by tag, from snapshots, kept after the session is gone). */
  lastSeen?: ReadonlyMap<string, number>;
  /** Nothing from a client for this long counts as not heard from (ms). */
  silentAfterMs: number;
  /** The app's remote offline window: a member dropped at T was last heard from at T minus this. */
  offlineAfterMs?: (appId: string) => number | undefined;
}

/** The server lost track of the client at `at`; it was last heard from at `heard`. */
interface Cut {
  at: number;
  heard: number;
  next: 'unknown' | 'Disconnected';
}

export const laneKey = (appId: string, channel: string, uid: number): string =>
  `${appId}\u0000${channel}\u0000${uid}`;

/**
 * The client's clock may differ from the server's. Reports about an outage arrive only after it,
 * but the newest report of a batch is sent as soon as it happens, so the smallest
 * (server receive time − client time) over a session is its clock offset plus the shortest delay.
 */
function clockOffsets(events: readonly ObservedEvent[]): Map<string, number> {
  const offsets = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'client_state' && e.type !== 'client_media') continue;
    const d = e.at - e.clientAt;
    const prev = offsets.get(e.sessionTag);
    if (prev === undefined || d < prev) offsets.set(e.sessionTag, d);
  }
  return offsets;
}

function cutFor(e: ObservedEvent, opts: LaneOptions): Cut | undefined {
  if (e.type === 'detached') return { at: e.at, heard: e.at, next: 'unknown' };
  if (e.type !== 'ended') return undefined;
  if (e.reason === 'quit') return { at: e.at, heard: e.at, next: 'Disconnected' };
  const window = e.reason === 'dropped' ? opts.offlineAfterMs?.(e.appId) : undefined;
  return { at: e.at, heard: window === undefined ? e.at : e.at - window, next: 'unknown' };
}

/**
 * Applies a cut to the band it falls in, unless the same engine's next report closes that band
 * (an engine reports every change, so it was in that state all along: an outage reported
 * afterwards) or the band began after the server last heard from the client.
 */
function applyCut(bands: Building[], cut: Cut): void {
  const i = bands.findIndex((b) => b.from <= cut.at && cut.at < b.to);
  const band = bands[i];
  if (!band?.open || band.state === 'unknown' || band.state === 'Disconnected' || band.state === 'Failed')
    return;
  if (band.from > cut.heard) return;
  const end = band.to;
  const split = Math.max(band.from, cut.heard);
  band.to = split;
  const left = cut.next === 'Disconnected';
  bands.splice(i + 1, 0, {
    open: false,
    state: cut.next,
    from: split,
    to: end,
    reason: left ? 'LeaveChannel(5)' : '',
    ...(left ? { inferred: true } : {}),
  });
}

/** Builds one lane per (app, channel, uid) from the events, oldest first. */
export function buildLanes(events: readonly ObservedEvent[], opts: LaneOptions): Map<string, Lane> {
  const offsets = clockOffsets(events);
  const lanes = new Map<string, Lane>();
  const reports = new Map<string, Array<{ at: number; state: ConnectionStateName; reason: string }>>();
  const cuts = new Map<string, Cut[]>();
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
      cuts.set(key, []);
    }
    const cut = isReplaced(e) ? undefined : cutFor(e, opts);
    if (cut) cuts.get(key)!.push(cut);
    if (e.type === 'ended') {
      // A replaced session's uid lives on in the newer one.
      if (!isReplaced(e)) lane.ended = true;
      lane.lastHeard = Math.max(lane.lastHeard, cut?.heard ?? 0);
    } else if (e.type !== 'detached') lane.lastHeard = Math.max(lane.lastHeard, e.at);
    if (e.type === 'joined' || e.type === 'resumed') lane.ended = false;
    const seen = opts.lastSeen?.get(e.sessionTag);
    if (seen !== undefined && !lane.ended) lane.lastHeard = Math.max(lane.lastHeard, seen);
    if (e.type === 'client_state') {
      const at = Math.min(e.at, e.clientAt + (offsets.get(e.sessionTag) ?? 0));
      lane.markers.push(stateMarker(e, at, `s${i}`));
      reports
        .get(key)!
        .push({ at, state: REPORTED_STATE_NAMES[e.state], reason: reportedReasonLabel(e.reason) });
    } else if (e.type === 'client_media') {
      lane.markers.push(
        mediaMarker(e, Math.min(e.at, e.clientAt + (offsets.get(e.sessionTag) ?? 0)), `m${i}`),
      );
    } else {
      const m = serverMarker(e, `v${i}`);
      if (m) lane.markers.push(m);
    }
  });

  for (const lane of lanes.values()) {
    // A socket that closes as its session ends says nothing the offline marker does not.
    const ends = lane.markers.filter((m) => m.kind === 'offline').map((m) => m.at);
    lane.markers = lane.markers.filter(
      (m) => m.kind !== 'detached' || !ends.some((t) => Math.abs(t - m.at) < 250),
    );
    lane.markers.sort((a, b) => a.at - b.at);
    const states = reports.get(lane.key)!.sort((a, b) => a.at - b.at);
    const bands: Building[] = states.map((s, i) => {
      const next = states[i + 1];
      // A fresh engine (a new page, a new process) starts with (Connecting, Connecting).
      const open = !next || next.reason === 'Connecting(0)';
      return { state: s.state, from: s.at, to: next ? next.at : opts.now, reason: s.reason, open };
    });
    for (const cut of cuts.get(lane.key)!) applyCut(bands, cut);
    lane.bands = bands.map(({ open: _, ...band }) => band);
    // A live session's last reported state holds only while the client is heard from; after that
    // the truth is unknown until its reports arrive (they are sent once it is connected again).
    const last = lane.bands.at(-1);
    const settled = !last || ['unknown', 'Disconnected', 'Failed'].includes(last.state);
    if (last && !settled && opts.now - lane.lastHeard > opts.silentAfterMs) {
      const split = Math.max(last.from, lane.lastHeard);
      last.to = split;
      lane.bands.push({ state: 'unknown', from: split, to: opts.now, reason: '' });
    }
    lane.state = lane.bands.at(-1)?.state ?? 'unknown';
  }
  return lanes;
}
