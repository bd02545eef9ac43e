import { MAX_STREAM_MESSAGE_BYTES, SEED_ADVICE_TIMINGS } from '@holdfast/protocol';
import {
  type ChannelProfileType,
  type ClientRoleType,
  ConnectionChangedReasonType,
  ConnectionStateType,
  createRtcEngine,
  type EngineTiming,
  ErrorCodeType,
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
  /** `--send`: create a data stream for the lines given to {@link LiveJoin.send}. */
  send?: boolean;
  now?: () => number;
}

/** Lines typed before the first join are kept (at most this many) and sent once joined. */
export const MAX_LINES_BEFORE_JOIN = 100;
const ErrSizeTooLarge = -114;
const ErrNotInChannel = -113;

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
  /** The data stream typed lines go out on (`--send`): its id, or createDataStream's negative code. */
  #streamId = 0;
  /** Joined at least once: before that, typed lines wait in `#early`. */
  #joinedOnce = false;
  #early: string[] = [];
  readonly #decoder = new TextDecoder();
  readonly #encoder = new TextEncoder();

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
      messagesSent: 0,
      messagesReceived: 0,
      timings: { ...SEED_ADVICE_TIMINGS, ...definedTimings(opts.timing) },
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
        if (state === S.ConnectionStateConnected) this.status.connectProblem = undefined;
        const out = state === S.ConnectionStateFailed || state === S.ConnectionStateDisconnected;
        // Out of the channel (left, refused, failed): nobody is known to be there any more.
        if (out) members.clear();
        this.#emit({ kind: 'state', at: this.#now(), state, reason });
        if (out) this.#dropEarly();
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
      onError: (code, message) => {
        // ErrFailed while trying to connect is the SDK saying why it cannot (refused, bad URL, TLS).
        const trying =
          this.status.state === S.ConnectionStateConnecting ||
          this.status.state === S.ConnectionStateReconnecting;
        if (code === ErrorCodeType.ErrFailed && trying) this.status.connectProblem = message;
        this.#emit({ kind: 'error', at: this.#now(), code, message });
      },
      onTokenPrivilegeWillExpire: () =>
        this.#emit({
          kind: 'token',
          at: this.#now(),
          message: 'will expire in 30 s: join again with a new one',
        }),
      onRequestToken: () =>
        this.#emit({ kind: 'token', at: this.#now(), message: 'expired: get a new token and join again' }),
      onStreamMessage: (_c, uid, streamId, data, length, sentTs) => {
        this.status.messagesReceived++;
        const at = this.#now();
        this.#emit({
          kind: 'stream_message',
          at,
          uid,
          streamId,
          bytes: length,
          text: this.#decoder.decode(data.subarray(0, length)),
          latencyMs: at - sentTs,
        });
      },
      onStreamMessageError: (_c, uid, streamId, code, missed, cached) =>
        this.#emit({
          kind: 'stream_error',
          at: this.#now(),
          uid,
          streamId,
          code,
          missed,
          cached,
          own: uid === this.status.uid && this.status.uid !== 0,
        }),
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
    if (opts.send) {
      // Reliable and ordered (every Holdfast stream is); lines go out in the order typed.
      this.#streamId = engine.createDataStream({ ordered: true });
      this.#emit({ kind: 'stream_created', at: this.#now(), streamId: this.#streamId });
    }
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

  /** Redraws the view now (the line being typed changed). */
  refresh(): void {
    this.opts.view.tick(this.status);
  }

  /** Standard input ended (`--send`): said once; the join goes on. */
  inputClosed(): void {
    this.#emit({ kind: 'input_closed', at: this.#now() });
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
    if (this.#joinedOnce) return;
    this.#joinedOnce = true;
    for (const line of this.#early.splice(0)) this.send(line);
  }

  /** The channel is over before the first join: lines waiting for it are told as not sent. */
  #dropEarly(): void {
    for (const line of this.#early.splice(0))
      this.#emit({
        kind: 'stream_not_sent',
        at: this.#now(),
        code: ErrNotInChannel,
        bytes: this.#encoder.encode(line).length,
        text: line,
      });
  }

  /**
   * Sends one typed line as one data-stream message and says how it went (`stream sent`, or
   * `stream not_sent` with the code and its meaning). Empty lines are skipped; lines over 1,024
   * bytes are refused here. Before the first join, lines wait (see MAX_LINES_BEFORE_JOIN);
   * while reconnecting the SDK keeps them and sends them after the resume.
   */
  send(line: string): void {
    const data = this.#encoder.encode(line);
    if (data.length === 0) return;
    let code: number;
    if (data.length > MAX_STREAM_MESSAGE_BYTES) code = ErrSizeTooLarge;
    else if (!this.#joinedOnce && this.#streamId > 0) {
      if (this.#early.length < MAX_LINES_BEFORE_JOIN) {
        this.#early.push(line);
        return;
      }
      code = ErrNotInChannel;
    } else if (this.#streamId <= 0) code = this.#streamId || ErrNotInChannel;
    else code = this.engine.sendStreamMessage(this.#streamId, data, data.length);
    const at = this.#now();
    if (code !== 0) {
      this.#emit({ kind: 'stream_not_sent', at, code, bytes: data.length, text: line });
      return;
    }
    this.status.messagesSent++;
    this.#emit({ kind: 'stream_sent', at, streamId: this.#streamId, bytes: data.length, text: line });
  }

  #emit(e: JoinEvent): void {
    this.status.rttMs = this.opts.rtt();
    this.opts.view.event(e, this.status);
  }
}

/** The timings the engine was given, without the ones left to their defaults. */
function definedTimings(t: EngineTiming): Partial<typeof SEED_ADVICE_TIMINGS> {
  const out: Partial<Record<keyof typeof SEED_ADVICE_TIMINGS, number>> = {};
  if (t.interruptedAfterMs !== undefined) out.interruptedAfterMs = t.interruptedAfterMs;
  if (t.lostAfterMs !== undefined) out.lostAfterMs = t.lostAfterMs;
  if (t.failAfterMs !== undefined) out.failAfterMs = t.failAfterMs;
  return out;
}
