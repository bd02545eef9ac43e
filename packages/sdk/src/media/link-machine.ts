/**
 * The media connection's health, separate from the signalling connection: a pure machine
 * `mediaTransition(state, event, now, cfg) -> {state, effects}` (no IO, no timers; effects are
 * data for the driver, `LinkMonitor`). It is fed the publisher's and subscriber's
 * RTCPeerConnection states, a liveness sample from getStats every flow tick, the signalling
 * session's state and its own timers. The rule table is in the README ("Audio and video").
 *
 * - A *fault* is: a connection `disconnected` or `failed`; every expected remote publisher silent
 *   (no RTP packet) while at least two are expected — one silent publisher is that publisher's
 *   problem as far as this client can tell (the remote sees Frozen); or what this client sends not
 *   acknowledged by the server's receiver reports.
 * - A fault that lasts `outageAfterMs` (4 s) while signalling is connected is an outage: told
 *   (`report down`) and repaired at once (step 1, ICE restarts); not back `escalateAfterMs` (3 s)
 *   later, step 2 (`reset`: media_reset and new connections), again after `resetRetryMs` while
 *   still down. `failed` is an outage at once (the browser already waited).
 * - While signalling is down nothing is told or repaired (its own reason covers the outage); a
 *   told outage is superseded. When signalling is back, a fault already 4 s old is an outage at once.
 * - Back (`report up`): every connection connected and, if remote tracks are expected, packets from
 *   at least one expected publisher (one is enough now: the repair touched this client's path).
 */

export type PeerRole = 'publisher' | 'subscriber';
/** RTCPeerConnection.connectionState as far as it matters here. */
export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';
/** What the server's receiver reports say of what this client sends, over the last sample. */
export type Uplink = 'acked' | 'unacked' | 'idle' | 'unknown';

export type LinkTimer = 'detect' | 'escalate' | 'retry' | 'lost';

export interface LinkConfig {
  /** A fault lasting this long is an outage. Default 4000 (the seed's 4 s interruption rule). */
  outageAfterMs: number;
  /** Step 2 this long after step 1 when media is not back. Default 3000. */
  escalateAfterMs: number;
  /** The "lost" mark this long after the outage was told (Agora onConnectionLost). Default 10000. */
  lostAfterMs: number;
  /** How long the n-th reset (1, 2, …) is given to work before the next one. */
  resetRetryMs(resets: number): number;
  /** No packet from any expected publisher for this long is silence. Default 1000. */
  silentAfterMs: number;
  /** No receiver report for this long while sending is an unacknowledged uplink. Default 2500. */
  unackedAfterMs: number;
  /** Signalling without data for this long is about to be judged by its own rule: wait for it. Default 2000. */
  signalQuietMs: number;
  /** The signalling's interruption rule (it decides within this long of its last data). Default 4000. */
  signalInterruptMs: number;
}

export const LINK_DEFAULTS: LinkConfig = {
  outageAfterMs: 4000,
  escalateAfterMs: 3000,
  lostAfterMs: 10_000,
  resetRetryMs: (n) => Math.min(30_000, 5000 * 2 ** (n - 1)),
  silentAfterMs: 1000,
  unackedAfterMs: 2500,
  signalQuietMs: 2000,
  signalInterruptMs: 4000,
};

/** What is watched, in every phase. */
export interface LinkWatch {
  /** Signalling is connected (media may be told and repaired). */
  signal: boolean;
  /** When signalling last carried data (from the samples). */
  signalDataAt: number | undefined;
  /** Each connection's state; absent: no such connection. */
  peers: Readonly<Partial<Record<PeerRole, PeerState>>>;
  /** Since when a connection has been disconnected or failed. */
  badSince: number | undefined;
  /** The remote publishers (uids) whose tracks this client expects to receive, sorted. */
  expected: readonly number[];
  /** When a packet from an expected publisher last arrived (or when the expectation began). */
  flowAt: number | undefined;
  /** When the server last acknowledged what this client sends (undefined: not sending or not observable). */
  ackAt: number | undefined;
}

export type LinkState =
  /** Not in a channel: nothing watched. */
  | ({ phase: 'off' } & LinkWatch)
  /**
   * In a channel, no outage told. `detectAt`: when a running fault becomes one (its timer is
   * armed); `holdUntil`: signalling just came back, and samples from before it do not count.
   */
  | ({ phase: 'up'; detectAt: number | undefined; holdUntil?: number } & LinkWatch)
  /** An outage was told and the repair ladder runs. */
  | ({
      phase: 'down';
      downAt: number;
      step: 'ice_restart' | 'reset';
      resets: number;
      lostTold: boolean;
    } & LinkWatch);

export type LinkEvent =
  /** Joined afresh (first join, or a re-join after the session expired): new connections follow. */
  | { type: 'start' }
  /** Left the channel, or the session ended. */
  | { type: 'stop' }
  /** Signalling lost (`up` false) or resumed with the session kept (`up` true). */
  | { type: 'signal'; up: boolean }
  | { type: 'peer'; role: PeerRole; state: PeerState | undefined }
  /**
   * One flow tick: the expected remote publishers, those whose packets arrived since the last tick,
   * the uplink when it was read this tick, and when signalling last carried data.
   */
  | {
      type: 'sample';
      expected: readonly number[];
      flowing: readonly number[];
      uplink?: Uplink;
      signalDataAt?: number;
    }
  | { type: 'timer'; timer: LinkTimer };

/** `down`: the outage is told (elapsed: since the fault began); `lost`: Agora's 10 s mark; `up`: media back (elapsed: since told). */
export type LinkChange = 'down' | 'lost' | 'up';

export type LinkEffect =
  | { type: 'report'; change: LinkChange; elapsed: number }
  /** Step 1: an ICE restart of each connection there is (publisher offer; subscriber media_sub_offer). */
  | { type: 'restart_ice' }
  /** Step 2: media_reset, both connections closed, publish and subscribe again on new ones. */
  | { type: 'reset' }
  | { type: 'arm'; timer: LinkTimer; at: number }
  | { type: 'cancel_all' };

export interface LinkTransition {
  state: LinkState;
  effects: LinkEffect[];
}

const WATCH: LinkWatch = {
  signal: false,
  signalDataAt: undefined,
  peers: {},
  badSince: undefined,
  expected: [],
  flowAt: undefined,
  ackAt: undefined,
};

export const INITIAL_LINK: LinkState = { phase: 'off', ...WATCH };

const BAD: ReadonlySet<PeerState> = new Set(['disconnected', 'failed']);

function peersBad(peers: LinkWatch['peers']): boolean {
  return Object.values(peers).some((p) => p !== undefined && BAD.has(p));
}

/** Since when the media path has been at fault (undefined: no fault now). */
export function faultSince(s: LinkState, now: number, cfg: LinkConfig): number | undefined {
  const since: number[] = [];
  if (s.badSince !== undefined) since.push(s.badSince);
  // Silence: every expected publisher; at least two unless a repair already runs on this path.
  const enough = s.expected.length >= (s.phase === 'down' ? 1 : 2);
  if (enough && s.flowAt !== undefined && now - s.flowAt >= cfg.silentAfterMs) since.push(s.flowAt);
  if (s.ackAt !== undefined && now - s.ackAt >= cfg.unackedAfterMs) since.push(s.ackAt);
  return since.length ? Math.min(...since) : undefined;
}

/**
 * Media is back: every connection is connected and expected media arrives (with no connection and
 * nothing expected there is nothing to carry: back too).
 */
function isBack(s: LinkState, now: number, cfg: LinkConfig): boolean {
  const peers = Object.values(s.peers).filter((p) => p !== undefined && p !== 'closed');
  if (peers.length === 0 && s.expected.length > 0) return false;
  if (peers.some((p) => p !== 'connected')) return false;
  if (s.expected.length > 0 && (s.flowAt === undefined || now - s.flowAt >= cfg.silentAfterMs)) return false;
  return !(s.ackAt !== undefined && now - s.ackAt >= cfg.unackedAfterMs);
}

const watch = (s: LinkState): LinkWatch => ({
  signal: s.signal,
  signalDataAt: s.signalDataAt,
  peers: s.peers,
  badSince: s.badSince,
  expected: s.expected,
  flowAt: s.flowAt,
  ackAt: s.ackAt,
});

/** Folds an input into what is watched (the same in every phase). */
function observe(s: LinkState, event: LinkEvent, now: number): LinkState {
  switch (event.type) {
    case 'peer': {
      const peers = { ...s.peers };
      if (event.state === undefined) delete peers[event.role];
      else peers[event.role] = event.state;
      const bad = peersBad(peers);
      return { ...s, peers, badSince: bad ? (s.badSince ?? now) : undefined };
    }
    case 'sample': {
      const expected = [...event.expected].sort((a, b) => a - b);
      // A publisher newly expected is given the full window before its silence counts.
      const added = expected.some((uid) => !s.expected.includes(uid));
      const flowing = event.flowing.some((uid) => expected.includes(uid));
      const flowAt = expected.length === 0 ? undefined : flowing || added ? now : (s.flowAt ?? now);
      const u = event.uplink;
      const ackAt =
        u === undefined ? s.ackAt : u === 'acked' ? now : u === 'unacked' ? (s.ackAt ?? now) : undefined;
      return { ...s, expected, flowAt, ackAt, signalDataAt: event.signalDataAt ?? s.signalDataAt };
    }
    default:
      return s;
  }
}

/** The outage is told and step 1 starts. */
function goDown(s: LinkState, since: number, now: number, cfg: LinkConfig): LinkTransition {
  return {
    state: { ...watch(s), phase: 'down', downAt: now, step: 'ice_restart', resets: 0, lostTold: false },
    effects: [
      { type: 'cancel_all' },
      { type: 'report', change: 'down', elapsed: now - since },
      { type: 'restart_ice' },
      { type: 'arm', timer: 'escalate', at: now + cfg.escalateAfterMs },
      { type: 'arm', timer: 'lost', at: now + cfg.lostAfterMs },
    ],
  };
}

type Up = Extract<LinkState, { phase: 'up' }>;

/** Arms the detection timer for `at`, unless it is armed for that already. */
function detectAt(s: Up, at: number): LinkTransition {
  if (s.detectAt === at) return { state: s, effects: [] };
  return { state: { ...s, detectAt: at }, effects: [{ type: 'arm', timer: 'detect', at }] };
}

/** In `up` with signalling connected: an outage now, a detection timer, or nothing. */
function judge(s: Up, now: number, cfg: LinkConfig): LinkTransition {
  const since = faultSince(s, now, cfg);
  if (since === undefined) return { state: s, effects: [] };
  const failed = Object.values(s.peers).includes('failed');
  if (!failed && now - since < cfg.outageAfterMs) return detectAt(s, since + cfg.outageAfterMs);
  // Signalling just came back: a sample taken before (RTP may have returned with it) is no verdict.
  if (s.holdUntil !== undefined && now < s.holdUntil) return detectAt(s, s.holdUntil);
  // Signalling silent too: its own 4 s rule is about to decide, and its reason covers both.
  if (s.signalDataAt !== undefined && now - s.signalDataAt >= cfg.signalQuietMs)
    return detectAt(s, Math.max(now + 1, s.signalDataAt + cfg.signalInterruptMs + 500));
  return goDown(s, since, now, cfg);
}

/**
 * The media connection machine: a pure function of (state, event, now, config). Every row of the
 * README's rule table is one branch here.
 */
export function mediaTransition(
  state: LinkState,
  event: LinkEvent,
  now: number,
  cfg: LinkConfig = LINK_DEFAULTS,
): LinkTransition {
  if (event.type === 'stop')
    return { state: INITIAL_LINK, effects: state.phase === 'off' ? [] : [{ type: 'cancel_all' }] };
  if (event.type === 'start')
    // New connections: nothing of the old ones counts. An outage told before is not (signalling
    // went down first, which superseded it).
    return {
      state: { ...WATCH, phase: 'up', detectAt: undefined, signal: true },
      effects: [{ type: 'cancel_all' }],
    };
  if (state.phase === 'off') return { state, effects: [] };

  if (event.type === 'signal') {
    if (!event.up) {
      // Signalling's own state (reason 9 / Interrupted) now covers the outage; nothing repairs without it.
      const s: LinkState = { ...watch(state), phase: 'up', detectAt: undefined, signal: false };
      return { state: s, effects: [{ type: 'cancel_all' }] };
    }
    // The joined frame just came: signalling carries data now.
    const back = { signal: true, signalDataAt: now };
    if (state.phase === 'down') return { state: { ...state, ...back }, effects: [] };
    return judge({ ...state, ...back, holdUntil: now + cfg.silentAfterMs }, now, cfg);
  }

  const s = observe(state, event, now);
  if (s.phase === 'up') {
    if (event.type === 'timer') {
      // The detection timer is spent; another is armed if the fault still runs.
      if (event.timer !== 'detect') return { state: s, effects: [] };
      const spent: Up = { ...s, detectAt: undefined };
      return spent.signal ? judge(spent, now, cfg) : { state: spent, effects: [] };
    }
    return s.signal ? judge(s, now, cfg) : { state: s, effects: [] };
  }

  // Down: the ladder runs until media is back.
  const down = s as Extract<LinkState, { phase: 'down' }>;
  if (event.type !== 'timer') {
    if (!isBack(down, now, cfg)) return { state: down, effects: [] };
    return {
      state: { ...watch(down), phase: 'up', detectAt: undefined },
      effects: [{ type: 'cancel_all' }, { type: 'report', change: 'up', elapsed: now - down.downAt }],
    };
  }
  switch (event.timer) {
    case 'lost':
      if (down.lostTold) return { state: down, effects: [] };
      return {
        state: { ...down, lostTold: true },
        effects: [{ type: 'report', change: 'lost', elapsed: now - down.downAt }],
      };
    case 'escalate':
    case 'retry': {
      const resets = down.resets + 1;
      return {
        // The old connections are gone: only the new ones' states count from here.
        state: { ...down, step: 'reset', resets, peers: {}, badSince: undefined, ackAt: undefined },
        effects: [{ type: 'reset' }, { type: 'arm', timer: 'retry', at: now + cfg.resetRetryMs(resets) }],
      };
    }
    default:
      return { state: down, effects: [] };
  }
}
