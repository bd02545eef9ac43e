import {
  type ClientMediaFrame,
  type Clock,
  decodeServerFrame,
  type encodeFrame,
  type JoinedFrame,
  type MediaStateEvent,
  type ReportFrame,
  type ServerMediaFrame,
  type WireRole,
} from '@holdfast/protocol';
import { INITIAL_STATE, transition } from '../connection/machine.js';
import { MachineTimers } from '../connection/timers.js';
import type { ConnEvent, ConnState, Effect, Reason, Status } from '../connection/types.js';
import { DataStreams } from './data-streams.js';
import { type EffectPorts, runEffect } from './effect-runner.js';
import { type FrameTargets, routeServerFrame } from './frame-router.js';
import { joinFrame, type ResumeTicket, ticketAfter } from './join-frame.js';
import { SessionMeter } from './meter.js';
import { Pinger } from './pinger.js';
import { RemoteMembers } from './presence.js';
import { StateReports } from './reports.js';
import { Requests } from './requests.js';
import type { JoinParams, SessionListener, SessionOptions, SessionStats } from './session-types.js';
import { TransportSlot } from './transport-slot.js';

/** A state change as told to the listener (`initial` before the first one). */
export type ToldState = { status: Status; reason: Reason | 'initial' };

export type { JoinParams, SessionListener, SessionOptions, SessionStats } from './session-types.js';

/**
 * The driver: executes the pure machine's effects with real (or test) time and a
 * real (or test) transport, and keeps what the machine leaves out — the resumable
 * session, the remote member set, keepalives and statistics.
 */
export class ChannelSession {
  #state: ConnState = INITIAL_STATE;
  #queue: ConnEvent[] = [];
  #running = false;
  #timers: MachineTimers;
  readonly #slot: TransportSlot;
  #resume: ResumeTicket | undefined;
  #params: JoinParams | undefined;
  #uid = 0;
  #pinger: Pinger;
  #keepaliveMs = 1500;
  readonly #meter: SessionMeter;
  readonly #requests: Requests;
  /** NERTC enableLocalData as last set, and whether the server has been told. */
  #dataState: { enabled: boolean; sent: boolean } | undefined;
  #unsubscribeNetwork: (() => void) | undefined;
  #reports = new StateReports();
  /** The last state change told to the listener: what an engine reports as its state. */
  #reported: ToldState = INITIAL_STATE;
  /** The one before it: a profile that folds several changes into one can tell a repeat from it. */
  #previous: ToldState = INITIAL_STATE;
  /** The current join() has reached Connected once. */
  #joinedOnce = false;
  /** The last `joined` frame, and the role wanted when it came: what the post-join effects use. */
  #joined: { frame: JoinedFrame; wanted: WireRole | undefined } | undefined;
  #settled: { status: Status; effects: Effect[] }[] = [];
  readonly #ports: EffectPorts;
  /** The message of the server's last `end` frame (told with the error notice it causes). */
  #lastEnd: { code: string; message: string } | undefined;
  readonly #frames: FrameTargets;
  readonly remote: RemoteMembers;
  /**
   * The media layer's seam: media signalling frames and members' media state events from the
   * server go here (set by the engine's media session; nothing when media is not used).
   */
  onMedia: ((frame: ServerMediaFrame | MediaStateEvent) => void) | undefined;
  /**
   * The media layer's second seam: a join or rejoin succeeded and the members are reconciled.
   * `resumed`: the server kept this client's session (and its media); false on a first join and
   * on a fresh re-join after the session expired (media must be published and subscribed again).
   * `role` is the one the server confirmed.
   */
  onJoined: ((joined: { resumed: boolean; role: WireRole }) => void) | undefined;
  /**
   * The media layer's third seam: whether it holds media connections (a publisher or a subscriber)
   * a resume should keep; told to the server in the resume (`join.resume.media`).
   */
  holdsMedia: (() => boolean) | undefined;
  /** The channel's data streams: what this client sends and receives (Agora data streams, NERTC data). */
  readonly streams: DataStreams;

  constructor(
    private readonly opts: SessionOptions,
    private readonly listener: SessionListener,
  ) {
    this.#pinger = new Pinger(opts.clock);
    this.#slot = new TransportSlot(opts.serverUrls, opts.transport, {
      dispatch: (event) => this.dispatch(event),
      message: (data) => this.#onMessage(data),
      detached: (t) => {
        this.#meter.detached(t);
        this.#pinger.stop();
      },
      dialFailed: (error) => listener.connectionError?.(error),
    });
    this.#meter = new SessionMeter(opts.clock);
    this.#requests = new Requests(listener);
    this.#timers = new MachineTimers(opts.clock, (timer) => this.dispatch({ type: 'timer', timer }));
    this.streams = new DataStreams(
      opts.clock,
      {
        message: (uid, streamId, data, sentTs) => listener.streamMessage(uid, streamId, data, sentTs),
        error: (uid, streamId, code, missed, cached) =>
          listener.streamError(uid, streamId, code, missed, cached),
      },
      (frame) => this.#state.status === 'connected' && this.#slot.send(frame),
      () => this.#uid,
    );
    this.remote = new RemoteMembers({
      userJoined: (uid) => listener.userJoined(uid, this.opts.clock.now() - this.#meter.joinStartedAt),
      userOffline: (uid, reason) => listener.userOffline(uid, reason),
      stream: (event) => this.streams.receive(event),
      dataState: (uid, enabled) => listener.dataState(uid, enabled),
      media: (event) => this.onMedia?.(event),
    });
    this.#frames = {
      connected: () => this.#state.status === 'connected',
      remote: this.remote,
      streams: this.streams,
      joined: (frame) => this.#onJoined(frame),
      pong: (t, held) => this.#meter.pong(t, held),
      media: (frame) => this.onMedia?.(frame),
      end: (code, message) => {
        this.#lastEnd = { code, message };
        this.dispatch({ type: 'end', code });
      },
      roleResult: (frame) =>
        this.#requests.roleResult(frame, (role) => {
          if (this.#params) this.#params.role = role;
        }),
      tokenResult: (frame) => this.#requests.tokenResult(frame),
    };
    this.#unsubscribeNetwork = opts.network?.subscribe((change) => {
      if (change === 'online') this.dispatch({ type: 'network_online' });
      else if (change === 'changed') this.dispatch({ type: 'network_changed' });
    });
    this.#ports = this.#effectPorts();
  }

  get status(): Status {
    return this.#state.status;
  }
  get state(): ConnState {
    return this.#state;
  }
  /** The uid in use (the server-assigned one after a join with uid 0). */
  get uid(): number {
    return this.#uid;
  }
  /** The role and profile of the current join (the role as last asked for). */
  get joinedAs(): { role: WireRole; profile: JoinParams['profile'] } | undefined {
    return this.#params && { role: this.#params.role, profile: this.#params.profile };
  }
  get channel(): string {
    return this.#params?.channel ?? '';
  }
  get token(): string {
    return this.#params?.token ?? '';
  }
  /** The last state change told to the listener (during a transition `state` may be ahead of it). */
  get reported(): ToldState {
    return this.#reported;
  }
  get previousReported(): ToldState {
    return this.#previous;
  }
  /** The current join reached Connected at least once (NERTC tells endings by onDisconnect from then on). */
  get joinedOnce(): boolean {
    return this.#joinedOnce;
  }
  get clock(): Clock {
    return this.opts.clock;
  }
  /** Clock time of the last join() call. */
  get joinStartedAt(): number {
    return this.#meter.joinStartedAt;
  }

  /** `viaProxy`: the route goes through a proxy, reported as the join's reason (SettingProxyServer). */
  join(params: JoinParams, viaProxy = false): void {
    this.#params = { ...params };
    this.#uid = params.uid;
    this.#meter.joinStarted();
    this.#joinedOnce = false;
    this.remote.clear();
    this.dispatch(viaProxy ? { type: 'join', viaProxy } : { type: 'join' });
  }

  leave(): void {
    this.dispatch({ type: 'leave' });
  }

  /** Changes the role; while connected the server confirms it, otherwise it applies on the next join. */
  setRole(role: WireRole): void {
    if (!this.#params) return;
    const from = this.#params.role;
    this.#params.role = role;
    if (this.#state.status === 'connected' && from !== role) {
      const id = this.#requests.role(from, role);
      this.#send({ type: 'set_role', id, role });
    }
  }

  /**
   * Sends a media signalling frame (or the media layer's console report); false when not connected
   * (the media layer tries again on rejoin).
   */
  sendMedia(frame: ClientMediaFrame | ReportFrame): boolean {
    return this.#sendNow(frame);
  }

  /** Sends a frame if connected; false otherwise (nothing is queued here). */
  #sendNow(frame: Parameters<typeof encodeFrame>[0]): boolean {
    return this.#state.status === 'connected' && this.#slot.send(frame);
  }

  /** NERTC enableLocalData: tells the channel this client starts or stops sending data. */
  setDataState(enabled: boolean): void {
    this.#dataState = { enabled, sent: this.#sendNow({ type: 'data_state', enabled }) };
  }

  renewToken(token: string): void {
    if (!this.#params) return;
    this.#params.token = token;
    if (this.#state.status === 'connected')
      this.#send({ type: 'renew_token', id: this.#requests.token(), token });
    this.dispatch({ type: 'renew_token' });
  }

  /** Reconnects through a new route (proxy settings changed). */
  routeChanged(): void {
    this.dispatch({ type: 'set_proxy' });
  }

  stats(): SessionStats {
    return this.#meter.stats(this.#slot.current, this.remote.size + 1);
  }

  /** Stops everything without callbacks (engine release). */
  dispose(): void {
    this.#unsubscribeNetwork?.();
    this.#unsubscribeNetwork = undefined;
    this.#timers.cancelAll();
    this.#slot.close();
    this.#state = INITIAL_STATE;
    this.#reported = this.#previous = INITIAL_STATE;
  }

  /**
   * Feeds one event to the machine. Re-entrant calls (a callback that calls
   * leaveChannel) are queued and run after the current transition's effects,
   * so effects of one transition never interleave with another's.
   */
  dispatch(event: ConnEvent): void {
    this.#queue.push(event);
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
          const result = transition(this.#state, next, this.opts.clock.now(), this.opts.config);
          this.#state = result.state;
          for (const effect of result.effects) runEffect(effect, this.#ports);
        }
        // `when_settled` work runs once the queue is empty; what it queues in turn runs after it.
        const settled = this.#settled;
        if (settled.length === 0) return;
        this.#settled = [];
        for (const s of settled)
          if (this.#state.status === s.status) for (const e of s.effects) runEffect(e, this.#ports);
      }
    } finally {
      this.#running = false;
    }
  }

  #effectPorts(): EffectPorts {
    return {
      state: (status, reason) => {
        // Failed for good: what never reached the server is told to the app as not sent.
        if (status === 'failed') this.streams.dropUnsent();
        this.#queueReport(status, reason);
        this.#previous = this.#reported;
        this.#reported = { status, reason };
        this.listener.state(status, reason);
      },
      notice: (notice) => {
        if (notice.type === 'join_success') this.#joinedOnce = true;
        // An error notice carries the server's words (which token check failed, …) when it gave some.
        const end = this.#lastEnd;
        this.listener.notice(
          notice.type === 'error' && end?.code === notice.code ? { ...notice, message: end.message } : notice,
        );
        // Cleared after the callback so onLeaveChannel's stats still count the channel's users.
        if (notice.type === 'left') {
          this.remote.clear();
          // Agora destroys data streams on leaving; messages never sent are told, not lost silently.
          this.streams.reset(true);
        }
      },
      open: () => this.#slot.open(),
      close: () => this.#slot.close(),
      sendJoin: () => this.#sendJoin(),
      sendLeave: () => this.#send({ type: 'leave' }),
      forgetSession: () => {
        this.#resume = undefined;
      },
      arm: (timer, at) => this.#timers.arm(timer, at),
      cancelTimers: () => this.#timers.cancelAll(),
      stopPinger: () => this.#pinger.stop(),
      defer: (status, effects) => {
        this.#settled.push({ status, effects });
      },
      syncMembers: (resumed) => {
        const frame = this.#joined?.frame;
        if (!frame) return;
        if (!resumed) this.remote.resetSequence();
        if (resumed && frame.missed)
          this.streams.replayStarting(frame.missed, frame.serverTime, (uid) => this.remote.has(uid));
        this.remote.reconcile(frame.members, frame.seq, resumed ? frame.missed : undefined);
        // Connected again: what the server has not taken yet goes out now, in order.
        this.streams.rejoined(frame.streamAcks);
        // A data state set while the connection was down goes out now.
        const data = this.#dataState;
        if (data && !data.sent) data.sent = this.#sendNow({ type: 'data_state', enabled: data.enabled });
        this.onJoined?.({ resumed, role: frame.role });
      },
      startPinger: () =>
        this.#pinger.start(this.#keepaliveMs, () =>
          this.#send({
            type: 'ping',
            t: this.opts.clock.now(),
            ack: this.remote.lastSeq,
            rtt: this.#meter.rttMs,
          }),
        ),
      watchToken: () => this.listener.tokenExpiresAt(this.#joined?.frame.tokenExpiresAt),
      restoreRole: () => {
        const joined = this.#joined;
        if (!joined) return;
        // A role chosen while reconnecting is applied now that the server is back.
        if (joined.wanted && joined.wanted !== joined.frame.role && this.#params) {
          this.#params.role = joined.frame.role;
          this.setRole(joined.wanted);
        }
      },
    };
  }

  #send(frame: Parameters<typeof encodeFrame>[0]): void {
    this.#slot.send(frame);
  }

  #sendJoin(): void {
    if (!this.#params) return;
    const { appId } = this.opts;
    const media = this.holdsMedia?.() ?? false;
    this.#send(joinFrame(appId, this.#params, this.#uid, this.#resume, this.remote.lastSeq, media));
  }

  #onMessage(data: string): void {
    const decoded = decodeServerFrame(data);
    if (!decoded.ok) {
      // A server that speaks garbage is treated like a broken connection.
      this.#slot.close();
      this.dispatch({ type: 'transport_closed' });
      return;
    }
    this.dispatch({ type: 'data' });
    routeServerFrame(decoded.frame, this.#frames);
  }

  /** Adopts the frame's session; the post-join work is the machine's `when_settled` effects. */
  #onJoined(frame: JoinedFrame): void {
    const status = this.#state.status;
    if (status !== 'connecting' && status !== 'reconnecting') return;
    if (status === 'connecting') this.#meter.connected();
    this.#uid = frame.uid;
    this.#resume = ticketAfter(this.#resume, frame);
    this.#keepaliveMs = frame.keepaliveMs;
    this.#joined = { frame, wanted: this.#params?.role };
    this.dispatch({ type: 'joined', resumed: frame.resumed, sessionExpired: frame.sessionExpired === true });
  }

  /** Remembers a state change for the server's console; sent whenever the client is connected. */
  #queueReport(state: Status, reason: Reason): void {
    this.#reports.push({ at: this.opts.clock.now(), state, reason });
    // A leave is reported too: the transport is still open until the leave frame is sent.
    if (state === 'connected' || reason === 'leave' || this.#state.status === 'connected')
      this.#reports.flush((states) => this.#slot.send({ type: 'report', states }));
  }
}
