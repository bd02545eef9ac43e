import {
  type ChannelProfileType,
  type ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  createRtcEngine,
  type EngineTiming,
  type IRtcEngine,
  type TransportFactory,
} from '@holdfast/sdk';
import type { JoinEvent, JoinStatus, JoinView } from './events.js';

const S = ConnectionStateType;

export interface LiveJoinOptions {
  server: string;
  appId: string;
  channel: string;
  uid: number;
  token: string;
  role: ClientRoleType;
  profile: ChannelProfileType;
  timing: EngineTiming;
  /** Print a `stats` event this often (ms); 0 = never. */
  statsEveryMs: number;
  transport: TransportFactory;
  rtt: () => number | undefined;
  view: JoinView;
  now?: () => number;
}

/** How a join ended: left on request, or stopped by the SDK (Failed, invalid token). */
export type JoinOutcome = { kind: 'left' } | { kind: 'stopped'; state: number; reason: number };

/**
 * One engine in one channel, with every callback turned into a {@link JoinEvent} for the view.
 * Resolves `done` when the user leaves, or when the SDK stops trying (the advice for that
 * reason has been shown by then).
 */
export class LiveJoin {
  readonly engine: IRtcEngine = createRtcEngine();
  readonly status: JoinStatus;
  readonly done: Promise<JoinOutcome>;
  #finish!: (outcome: JoinOutcome) => void;
  #timers: ReturnType<typeof setInterval>[] = [];
  #leaving = false;
  #now: () => number;

  constructor(private readonly opts: LiveJoinOptions) {
    this.#now = opts.now ?? Date.now;
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
    this.status = {
      channel: opts.channel,
      server: opts.server,
      uid: opts.uid,
      state: ConnectionStateType.ConnectionStateDisconnected,
      reason: ConnectionChangedReasonType.ConnectionChangedLeaveChannel,
      since: this.#now(),
      rttMs: undefined,
      members: new Set<number>(),
    };
  }

  /** Joins; returns 0 or the negative ErrorCodeType that joinChannel gave back. */
  start(): number {
    const { engine, opts } = this;
    const rc = engine.initialize({
      appId: opts.appId,
      serverUrl: opts.server,
      timing: opts.timing,
      transport: opts.transport,
    });
    if (rc !== 0) return rc;
    const members = this.status.members as Set<number>;
    engine.registerEventHandler({
      onConnectionStateChanged: (_c, state, reason) => {
        Object.assign(this.status, { state, reason, since: this.#now() });
        const out = state === S.ConnectionStateFailed || state === S.ConnectionStateDisconnected;
        // Out of the channel (left, refused, failed): nobody is known to be there any more.
        if (out) members.clear();
        this.#emit({ kind: 'state', at: this.#now(), state, reason });
        if (out && !this.#leaving) this.#finish({ kind: 'stopped', state, reason });
      },
      onJoinChannelSuccess: (c, elapsed) => this.#joined(c.localUid ?? 0, elapsed, false),
      onRejoinChannelSuccess: (c, elapsed) => this.#joined(c.localUid ?? 0, elapsed, true),
      onUserJoined: (_c, uid) => {
        members.add(uid);
        this.#emit({ kind: 'member_joined', at: this.#now(), uid });
      },
      onUserOffline: (_c, uid, reason) => {
        members.delete(uid);
        this.#emit({ kind: 'member_offline', at: this.#now(), uid, reason });
      },
      onClientRoleChanged: (_c, _old, role) =>
        this.#emit({ kind: 'role', at: this.#now(), role: role === 1 ? 'broadcaster' : 'audience' }),
      onError: (code, message) => this.#emit({ kind: 'error', at: this.#now(), code, message }),
      onTokenPrivilegeWillExpire: () =>
        this.#emit({
          kind: 'token',
          at: this.#now(),
          message: 'will expire in 30 s: join again with a new one',
        }),
      onRequestToken: () =>
        this.#emit({ kind: 'token', at: this.#now(), message: 'expired: get a new token and join again' }),
      onLeaveChannel: (_c, stats) => {
        this.#emit({
          kind: 'left',
          at: this.#now(),
          durationS: stats.duration,
          lastmileDelayMs: stats.lastmileDelay,
        });
        this.#finish({ kind: 'left' });
      },
    });
    const joined = engine.joinChannel(opts.token, opts.channel, opts.uid, {
      clientRoleType: opts.role,
      channelProfile: opts.profile,
    });
    if (joined !== 0) return joined;
    this.#timers.push(
      setInterval(() => {
        this.status.rttMs = opts.rtt();
        opts.view.tick(this.status);
      }, 250),
    );
    if (opts.statsEveryMs > 0)
      this.#timers.push(
        setInterval(
          () =>
            this.#emit({
              kind: 'stats',
              at: this.#now(),
              rttMs: opts.rtt(),
              members: [...members].sort((a, b) => a - b),
            }),
          opts.statsEveryMs,
        ),
      );
    return 0;
  }

  /**
   * Leaves the channel (remote users see Quit at once when connected) and waits for
   * onLeaveChannel, at most `timeoutMs`.
   */
  async leave(timeoutMs = 2000): Promise<void> {
    this.#leaving = true;
    if (this.engine.leaveChannel() === 0)
      await Promise.race([this.done, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.#finish({ kind: 'left' });
  }

  /** Stops timers and the engine. */
  dispose(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.engine.release();
    this.opts.view.close();
  }

  #joined(uid: number, elapsedMs: number, rejoin: boolean): void {
    this.status.uid = uid;
    this.#emit({ kind: 'joined', at: this.#now(), channel: this.opts.channel, uid, elapsedMs, rejoin });
  }

  #emit(e: JoinEvent): void {
    this.status.rttMs = this.opts.rtt();
    this.opts.view.event(e, this.status);
  }
}
