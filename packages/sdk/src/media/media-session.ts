import type {
  Clock,
  MediaKind,
  MediaOfferFrame,
  MediaStateEvent,
  MediaSubscribeFrame,
  ServerMediaFrame,
  TrackState,
  WireRole,
} from '@holdfast/protocol';
import type { ChannelSession } from '../session/channel-session.js';
import { preferVideoCodec } from './codec-preference.js';
import { type CaptureEvent, type CaptureFailure, LocalCapture, resolveMediaDevices } from './devices.js';
import type { LinkChange, PeerRole, PeerState } from './link-machine.js';
import { LinkMonitor } from './link-monitor.js';
import { LinkSampler } from './liveness.js';
import { type LocalPhase, LocalPhases } from './local-phases.js';
import { MediaTelemetry } from './media-report.js';
import type { MediaOptions } from './options.js';
import { type PeerLike, resolvePeerConstructor } from './peer.js';
import { channelReset, type MediaSettings, mediaPlan, sameSubscription, wantsRemote } from './plan.js';
import { type AudioSink, browserAudioSink } from './playout.js';
import { PublisherTransport } from './publisher.js';
import {
  INITIAL_REMOTE,
  type RemoteEffect,
  type RemoteEvent,
  type RemoteState,
  remoteTransition,
} from './remote-state.js';
import { type MediaReport, MediaStats } from './session-stats.js';
import { type ReceivedTrack, SubscriberTransport } from './subscriber.js';
import { Ticker } from './ticker.js';
import { VideoViews } from './views.js';

export type { LocalPhase } from './local-phases.js';
export type { MediaReport } from './session-stats.js';

/** What the media layer tells the engine that owns it, profile-neutral. */
export interface MediaListener {
  local(kind: MediaKind, phase: LocalPhase, failure: CaptureFailure | undefined): void;
  firstLocalVideoFrame(width: number, height: number, elapsed: number): void;
  /** A remote track's phase, a member's published state, or a first decoded video frame. */
  remote(effect: RemoteEffect, elapsed: number): void;
  firstRemoteVideoFrame(uid: number, width: number, height: number, elapsed: number): void;
  stats(report: MediaReport): void;
  /** Audio levels 0..1: the microphone's (undefined when not sending) and each remote user's. */
  volume(local: number | undefined, remote: Array<{ uid: number; level: number }>): void;
  error(code: string, message: string): void;
  /**
   * The media connection's own state while signalling is connected: `down` an outage of 4 s
   * (elapsed: since it began), `lost` still down 10 s after it was told, `up` media back
   * (elapsed: since it was told). See the media connection machine (link-machine.ts).
   */
  link(change: LinkChange, elapsed: number): void;
}

const KINDS: readonly MediaKind[] = ['audio', 'video'];
type Published = Record<MediaKind, TrackState>;

/**
 * The driver of one engine's media: it keeps the settings the app asked for, derives the plan
 * (`mediaPlan`), and carries it out on the capture, the publisher and subscriber connections and
 * the signalling session; remote members' tracks go through the pure `remoteTransition`. Every
 * timer runs on the engine's Clock. On a signalling resume the connections are kept; on a fresh
 * join (first, or after the session expired) they are made anew and everything is sent again.
 */
export class MediaSession {
  #settings: MediaSettings;
  #inChannel = false;
  #role: WireRole | undefined;
  #publisher: PublisherTransport | undefined;
  #subscriber: SubscriberTransport | undefined;
  #remote: RemoteState = INITIAL_REMOTE;
  readonly #capture: LocalCapture;
  readonly #local: LocalPhases;
  /** The media_state last delivered (undefined: must be sent). */
  #sentState: Published | undefined;
  #sentSubscribe: Omit<MediaSubscribeFrame, 'type'> | undefined;
  #subscribeUnsent = false;
  #publishRefused = false;
  #pubConnected = false;
  #previewAt: number | undefined;
  readonly #views: VideoViews;
  readonly #sink: AudioSink | undefined;
  readonly #stats: MediaStats;
  readonly #flow: Ticker;
  readonly #statsTicker: Ticker;
  readonly #volume: Ticker;
  readonly #clock: Clock;
  readonly #link: LinkMonitor;
  readonly #liveness = new LinkSampler();
  /** The console's media report: figures every stats window, media state changes between. */
  readonly #telemetry = new MediaTelemetry();

  constructor(
    private readonly session: ChannelSession,
    private readonly defaults: MediaSettings,
    private readonly options: MediaOptions,
    private readonly listener: MediaListener,
  ) {
    this.#settings = defaults;
    this.#clock = session.clock;
    this.#local = new LocalPhases((kind, phase, failure) => listener.local(kind, phase, failure));
    this.#capture = new LocalCapture(
      () => resolveMediaDevices(options.mediaDevices),
      (e) => this.#captured(e),
    );
    this.#views = new VideoViews((uid, w, h) => listener.firstRemoteVideoFrame(uid, w, h, this.#elapsed()));
    this.#sink = options.audioSink === null ? undefined : (options.audioSink ?? browserAudioSink());
    this.#stats = new MediaStats(this.#clock);
    this.#flow = new Ticker(this.#clock, options.flowIntervalMs ?? 250, () => this.#sampleFlow());
    this.#statsTicker = new Ticker(this.#clock, options.statsIntervalMs ?? 2000, () => this.#report());
    this.#volume = new Ticker(this.#clock, 1000, () => this.#levels());
    this.#link = new LinkMonitor(
      this.#clock,
      {
        report: (change, elapsed) => listener.link(change, elapsed),
        restartIce: () => {
          this.#publisher?.restartIce();
          this.#subscriber?.restartIce();
        },
        reset: () => this.#resetMedia(),
      },
      options.monitor,
    );
    session.onMedia = (frame) => this.#onFrame(frame);
    session.onJoined = (joined) => this.#joined(joined.resumed, joined.role);
  }

  get settings(): MediaSettings {
    return this.#settings;
  }
  get views(): VideoViews {
    return this.#views;
  }
  /** Media can flow: there is a WebRTC implementation. */
  get available(): boolean {
    return resolvePeerConstructor(this.options.RTCPeerConnection) !== undefined;
  }
  get inChannel(): boolean {
    return this.#inChannel;
  }
  /** A media outage is told and not over (the engines report Reconnecting while it lasts). */
  get linkDown(): boolean {
    return this.#link.down;
  }

  /** Signalling went down (Reconnecting): media outages are its to tell until it is back. */
  signalLost(): void {
    this.#link.dispatch({ type: 'signal', up: false });
  }

  update(patch: Partial<MediaSettings>): void {
    const before = this.#settings;
    this.#settings = { ...before, ...patch };
    if (patch.preview && !before.preview) this.#previewAt = this.#inChannel ? undefined : this.#clock.now();
    this.#reconcile();
  }

  /** The role the server confirmed changed (onClientRoleChanged) or was restored after a refusal. */
  roleChanged(role: WireRole): void {
    this.#role = role;
    this.#publishRefused = false;
    this.#reconcile();
  }

  /** A member became known: tracks of it that an offer brought before its join event count now. */
  userJoined(uid: number): void {
    const early = this.#received().filter((r) => r.uid === uid);
    if (early.length === 0) return;
    for (const r of early) this.#dispatch({ type: 'published', uid, kind: r.kind, state: r.state });
    this.#tracks([...this.#received()]);
  }

  userOffline(uid: number): void {
    this.#dispatch({ type: 'offline', uid });
    this.#views.remoteTrack(uid, undefined);
    this.#sink?.stop(uid);
  }

  /** Volume indication every `intervalMs` (0 or less: off). */
  setVolumeInterval(intervalMs: number): void {
    if (intervalMs > 0) this.#volume.start(intervalMs);
    else this.#volume.stop();
  }

  /** Left the channel or failed for good: connections closed, remote state forgotten (nothing told). */
  stopped(): void {
    const reset = channelReset(this.#settings, this.defaults);
    if (!this.#inChannel && !this.#publisher && !this.#subscriber) {
      this.update(reset);
      return;
    }
    this.#inChannel = false;
    this.#link.dispatch({ type: 'stop' });
    this.#closeTransports();
    this.#remote = remoteTransition(this.#remote, { type: 'reset' }, this.#clock.now(), () => false).state;
    this.#views.clearRemote();
    this.#settings = reset;
    this.#reconcile();
  }

  dispose(): void {
    this.#inChannel = false;
    this.#link.dispose();
    this.#closeTransports();
    this.#capture.stopAll();
    this.#views.setLocal(undefined);
    this.#views.clearRemote();
    this.#volume.stop();
    this.session.onMedia = undefined;
    this.session.onJoined = undefined;
  }

  #joined(resumed: boolean, role: WireRole): void {
    this.#role = role;
    const fresh = !resumed || !this.#inChannel;
    this.#inChannel = true;
    this.#link.dispatch(fresh ? { type: 'start' } : { type: 'signal', up: true });
    if (fresh) {
      if (this.#publisher || this.#subscriber) {
        this.#closeTransports();
        this.#dispatch({ type: 'transport_reset' });
      }
      this.#publishRefused = false;
    } else {
      this.#publisher?.resend();
      this.#subscriber?.resend();
    }
    this.#reconcile();
  }

  #closeTransports(): void {
    this.#publisher?.close();
    this.#subscriber?.close();
    this.#publisher = this.#subscriber = undefined;
    this.#pubConnected = false;
    this.#sentState = this.#sentSubscribe = undefined;
    this.#subscribeUnsent = false;
    for (const r of this.#received()) this.#sink?.stop(r.uid);
    this.#stats.reset();
    this.#liveness.reset();
    this.#flow.stop();
    this.#statsTicker.stop();
    this.#peerState('publisher', undefined);
    this.#peerState('subscriber', undefined);
  }

  /**
   * The repair's step 2: the server forgets this client's media (`media_reset`), both connections
   * are closed, and the plan publishes and subscribes again on new ones. Remote tracks keep their
   * phase (Frozen) until the new receivers decode: the app sees them recover, not stop and start.
   */
  #resetMedia(): void {
    if (!this.#inChannel || !this.session.sendMedia({ type: 'media_reset' })) return;
    this.#closeTransports();
    this.#dispatch({ type: 'receivers_replaced' });
    this.#reconcile();
  }

  /**
   * The server node that carried the channel's media is gone (`media_moved`): the connections to
   * it are dead and it holds nothing of this client, so they are replaced at once (the server
   * needs no `media_reset`). Remote tracks keep their phase until the new receivers decode.
   */
  #moved(): void {
    if (!this.#inChannel || (!this.#publisher && !this.#subscriber)) return;
    this.#closeTransports();
    this.#dispatch({ type: 'receivers_replaced' });
    this.#reconcile();
  }

  #peerState(role: PeerRole, state: string | undefined): void {
    this.#link.dispatch({ type: 'peer', role, state: state as PeerState | undefined });
  }

  #reconcile(): void {
    const joinedAs = this.session.joinedAs;
    const canPublish = joinedAs?.profile === 'communication' || this.#role === 'broadcaster';
    const plan = mediaPlan(this.#settings, { inChannel: this.#inChannel, canPublish });
    // Without WebRTC there is no media at all: nothing is captured either.
    const available = this.available;
    for (const kind of KINDS) this.#capture.want(kind, available && plan.capture[kind]);
    this.#views.localTrack(this.#capture.track('video'));
    if (this.#inChannel && available) {
      this.#publish(this.#publishRefused ? undefined : plan.publish);
      this.#subscribe(plan.subscribe);
      this.#statsTicker.start();
      this.#flow.start();
    }
    this.#dispatch({ type: 'wants_changed' });
    for (const r of this.#received())
      if (r.kind === 'audio') {
        if (wantsRemote(this.#settings, r.uid, 'audio')) this.#sink?.play(r.uid, r.track);
        else this.#sink?.stop(r.uid);
      }
    this.#tellLocal();
  }

  #publish(desired: Published | undefined): void {
    if (!desired) {
      const was = this.#sentState;
      if (this.#publisher || (was && (was.audio !== 'off' || was.video !== 'off'))) {
        this.session.sendMedia({ type: 'media_unpublish' });
        this.#publisher?.close();
        this.#publisher = undefined;
        this.#pubConnected = false;
        this.#peerState('publisher', undefined);
      }
      this.#sentState = undefined;
      return;
    }
    // Tracks still being captured join the first offer rather than force a second one.
    if (KINDS.some((k) => desired[k] !== 'off' && this.#capture.pending(k))) return;
    if (!this.#publisher) this.#publisher = this.#newPublisher();
    const pub = this.#publisher;
    const actual = { audio: 'off', video: 'off' } as Published;
    for (const kind of KINDS) {
      const track = this.#capture.track(kind);
      actual[kind] = track ? desired[kind] : 'off';
      pub.setTrack(kind, actual[kind] === 'on' ? (track ?? null) : null);
    }
    const sent = this.#sentState;
    // While an offer waits, the state goes out after the answer (the server counts a new track as 'on').
    if (pub.busy || (sent && sent.audio === actual.audio && sent.video === actual.video)) return;
    if (this.session.sendMedia({ type: 'media_state', ...actual })) this.#sentState = actual;
  }

  #subscribe(desired: Omit<MediaSubscribeFrame, 'type'> | undefined): void {
    if (!desired) return;
    if (!this.#subscribeUnsent && this.#sentSubscribe && sameSubscription(desired, this.#sentSubscribe))
      return;
    const sent = this.session.sendMedia({ type: 'media_subscribe', ...desired });
    this.#subscribeUnsent = !sent;
    if (sent) this.#sentSubscribe = desired;
  }

  #newPublisher(): PublisherTransport {
    this.#liveness.newPublisher();
    const pub: PublisherTransport = new PublisherTransport({
      clock: this.#clock,
      create: () => this.#peer('publisher'),
      added: (kind, transceiver) => {
        const codec = this.options.videoCodec;
        if (kind === 'video' && codec && codec !== 'vp8') preferVideoCodec(transceiver, codec);
      },
      send: (sdp) => this.session.sendMedia({ type: 'media_publish', sdp }),
      negotiated: () => {
        if (this.#publisher !== pub) return;
        this.#sentState = undefined;
        this.#reconcile();
      },
      refused: (code, message) => {
        if (this.#publisher !== pub) return;
        if (code === 'not_broadcaster' || code === 'media_unavailable') this.#publishRefused = true;
        this.listener.error(code, message);
        this.#reconcile();
      },
      connectionState: (state) => {
        if (this.#publisher !== pub) return;
        this.#pubConnected = state === 'connected';
        this.#tellLocal();
        this.#peerState('publisher', state);
      },
    });
    return pub;
  }

  #newSubscriber(): SubscriberTransport {
    const sub: SubscriberTransport = new SubscriberTransport({
      clock: this.#clock,
      create: () => this.#peer('subscriber'),
      send: (frame) => this.session.sendMedia(frame),
      sendOffer: (sdp) => this.session.sendMedia({ type: 'media_sub_offer', sdp }),
      tracks: (list) => {
        if (this.#subscriber === sub) this.#tracks(list);
      },
      connectionState: (state) => {
        if (this.#subscriber !== sub) return;
        this.#peerState('subscriber', state);
        if (state === 'failed') this.#dispatch({ type: 'transport', failed: true });
        else if (state === 'connected' && this.#remote.transportFailed)
          this.#dispatch({ type: 'transport', failed: false });
      },
      failed: (err) => this.listener.error('bad_sdp', `subscriber offer not applied: ${err.message}`),
    });
    return sub;
  }

  #peer(role: PeerRole): PeerLike {
    const Ctor = resolvePeerConstructor(this.options.RTCPeerConnection);
    if (!Ctor) throw new Error('no RTCPeerConnection');
    const pc = new Ctor({ iceServers: this.options.iceServers ?? [], bundlePolicy: 'max-bundle' });
    this.#peerState(role, pc.connectionState);
    return pc;
  }

  #onFrame(frame: ServerMediaFrame | MediaStateEvent): void {
    if ('kind' in frame) {
      this.#dispatch({ type: 'published', uid: frame.uid, kind: 'audio', state: frame.audio });
      this.#dispatch({ type: 'published', uid: frame.uid, kind: 'video', state: frame.video });
      return;
    }
    switch (frame.type) {
      case 'media_publish_answer':
        this.#publisher?.answer(frame.sdp);
        return;
      case 'media_offer':
        this.#offer(frame);
        return;
      case 'media_snapshot':
        // Who publishes what as this client starts receiving (also kinds it does not subscribe to).
        for (const m of frame.members)
          if (this.session.remote.has(m.uid)) this.#onFrame({ kind: 'media', ...m });
        return;
      case 'media_sub_answer':
        this.#subscriber?.restartAnswered(frame.sdp);
        return;
      case 'media_moved':
        this.#moved();
        return;
      case 'media_error':
        // `busy` answers only a subscriber restart offer. Other codes do not name the request they
        // answer: the publisher's waiting offer takes them first (see the README's protocol note).
        if (
          frame.code === 'busy'
            ? this.#subscriber?.restartRefused(frame.code)
            : this.#refused(frame.code, frame.message)
        )
          return;
        this.listener.error(frame.code, frame.message);
        return;
    }
  }

  #refused(code: string, message: string): boolean {
    return this.#publisher?.refuse(code, message) || (this.#subscriber?.restartRefused(code) ?? false);
  }

  #offer(frame: MediaOfferFrame): void {
    if (!this.#inChannel || !this.available) return;
    // The states as of the offer's arrival: a media event after it is newer and applies after.
    for (const t of frame.tracks)
      if (this.session.remote.has(t.uid))
        this.#dispatch({ type: 'published', uid: t.uid, kind: t.kind, state: t.state });
    if (!this.#subscriber) this.#subscriber = this.#newSubscriber();
    this.#subscriber.offer(frame);
  }

  #tracks(list: ReceivedTrack[]): void {
    const now = new Set(list.map((r) => `${r.uid}:${r.kind}`));
    for (const [uid, user] of this.#remote.users)
      for (const kind of KINDS)
        if (user[kind].present && !now.has(`${uid}:${kind}`)) {
          this.#dispatch({ type: 'present', uid, kind, present: false });
          if (kind === 'video') this.#views.remoteTrack(uid, undefined);
          else this.#sink?.stop(uid);
        }
    for (const r of list) {
      if (r.uid === this.session.uid && this.#settings.echoDelayMs !== undefined) {
        // Echo test: this client's own tracks, back from the server (its audio plays in #reconcile).
        if (r.kind === 'video') this.#views.remoteTrack(r.uid, r.track);
        continue;
      }
      if (!this.session.remote.has(r.uid)) continue;
      this.#dispatch({ type: 'present', uid: r.uid, kind: r.kind, present: true, reused: r.reused });
      if (r.kind === 'video') this.#views.remoteTrack(r.uid, r.track);
    }
    this.#reconcile();
  }

  #received(): readonly ReceivedTrack[] {
    return this.#subscriber?.received ?? [];
  }

  #dispatch(event: RemoteEvent): void {
    const now = this.#clock.now();
    const result = remoteTransition(this.#remote, event, now, (uid, kind) =>
      wantsRemote(this.#settings, uid, kind),
    );
    this.#remote = result.state;
    for (const effect of result.effects) {
      if (effect.type === 'phase') this.#telemetry.remote(now, effect.uid, effect.kind, effect.phase);
      this.listener.remote(effect, this.#elapsed());
    }
  }

  #captured(e: CaptureEvent): void {
    this.#local.failure(e.kind, e.type === 'failed' ? e.failure : undefined);
    if (e.type === 'started' && e.kind === 'video') {
      const s = e.track.getSettings?.() ?? {};
      const since = this.#previewAt ?? this.session.joinStartedAt;
      this.listener.firstLocalVideoFrame(s.width ?? 0, s.height ?? 0, this.#clock.now() - since);
    }
    this.#reconcile();
  }

  #tellLocal(): void {
    const sending = this.#sentState;
    this.#local.update(
      (kind) => this.#capture.track(kind) !== undefined,
      (kind) =>
        this.#inChannel &&
        this.#pubConnected &&
        this.#publisher?.has(kind) === true &&
        sending !== undefined &&
        sending[kind] !== 'off',
    );
  }

  #elapsed(): number {
    return this.#clock.now() - this.session.joinStartedAt;
  }

  /**
   * Every flow tick (250 ms): the remote tracks' counters (Decoding / Frozen) and the media
   * connection machine's liveness sample (see LinkSampler).
   */
  async #sampleFlow(): Promise<void> {
    const sub = this.#subscriber;
    const readUplink = this.#liveness.readsUplink();
    const pub = readUplink ? this.#publisher?.peer : undefined;
    const [subReport, pubReport] = await Promise.all([sub?.peer?.getStats(), pub?.getStats()]);
    if (!this.#inChannel) return;
    const inbound =
      sub && subReport && this.#subscriber === sub ? this.#stats.inbound(subReport, sub) : undefined;
    for (const e of inbound?.events ?? []) this.#dispatch(e);
    const wanted = (uid: number, kind: MediaKind) =>
      this.session.remote.has(uid) &&
      this.#remote.users.get(uid)?.[kind].published === 'on' &&
      wantsRemote(this.#settings, uid, kind);
    const signal = this.session.state;
    this.#link.dispatch(
      this.#liveness.sample({
        streams: inbound?.streams ?? [],
        uplink: !readUplink ? 'not_read' : pubReport && this.#stats.read(pubReport),
        expected: [...this.#remote.users.keys()].filter((uid) => KINDS.some((k) => wanted(uid, k))),
        wanted,
        signalDataAt: signal.status === 'connected' ? signal.lastDataAt : undefined,
      }),
    );
    this.#telemetry.link(this.#clock.now(), this.#link.state);
  }

  async #report(): Promise<void> {
    const report = await this.#stats.report(this.#publisher?.peer, this.#subscriber, this.#remote, {
      sending: this.#sentState,
    });
    if (!report || !this.#inChannel) return;
    this.listener.stats(report);
    this.#telemetry.report(report, this.#link.state, this.#sentState, (f) => this.session.sendMedia(f));
  }

  async #levels(): Promise<void> {
    if (!this.#inChannel) return;
    const levels = await this.#stats.levels(
      this.#sentState?.audio === 'on' ? this.#publisher?.peer : undefined,
      this.#subscriber,
    );
    this.listener.volume(levels.local, levels.remote);
  }
}
