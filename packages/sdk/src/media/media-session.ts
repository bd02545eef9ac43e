import type { Clock, MediaKind, MediaOfferFrame, WireRole } from '@holdfast/protocol';
import type { ChannelSession } from '../session/channel-session.js';
import { type CaptureEvent, LocalCapture, resolveMediaDevices } from './devices.js';
import type { PeerRole, PeerState } from './link-machine.js';
import { LinkMonitor } from './link-monitor.js';
import { LocalPhases } from './local-phases.js';
import { type MediaFrameTargets, type Published, receiveMediaFrame, SentMedia } from './media-frames.js';
import type { MediaListener } from './media-listener.js';
import { MediaSampling } from './media-sampling.js';
import { MediaTransports } from './media-transports.js';
import type { MediaOptions } from './options.js';
import { resolvePeerConstructor } from './peer.js';
import { channelReset, type MediaSettings, mediaPlan, wantsRemote } from './plan.js';
import { type AudioSink, browserAudioSink } from './playout.js';
import { INITIAL_REMOTE, type RemoteEvent, type RemoteState, remoteTransition } from './remote-state.js';
import type { ReceivedTrack } from './subscriber.js';
import { VideoViews } from './views.js';

export type { LocalPhase } from './local-phases.js';
export type { MediaListener } from './media-listener.js';
export type { MediaReport } from './session-stats.js';

const KINDS: readonly MediaKind[] = ['audio', 'video'];

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
  readonly #transports: MediaTransports;
  #remote: RemoteState = INITIAL_REMOTE;
  readonly #capture: LocalCapture;
  readonly #local: LocalPhases;
  /** The media_state and media_subscribe last delivered. */
  readonly #sent: SentMedia;
  #publishRefused = false;
  #previewAt: number | undefined;
  readonly #views: VideoViews;
  readonly #sink: AudioSink | undefined;
  readonly #sampling: MediaSampling;
  readonly #clock: Clock;
  readonly #link: LinkMonitor;
  readonly #frames: MediaFrameTargets;

  constructor(
    private readonly session: ChannelSession,
    private readonly defaults: MediaSettings,
    private readonly options: MediaOptions,
    private readonly listener: MediaListener,
  ) {
    this.#settings = defaults;
    this.#clock = session.clock;
    this.#sent = new SentMedia((frame) => session.sendMedia(frame));
    this.#local = new LocalPhases((kind, phase, failure) => listener.local(kind, phase, failure));
    this.#capture = new LocalCapture(
      () => resolveMediaDevices(options.mediaDevices),
      (e) => this.#captured(e),
    );
    this.#views = new VideoViews((uid, w, h) => listener.firstRemoteVideoFrame(uid, w, h, this.#elapsed()));
    this.#sink = options.audioSink === null ? undefined : (options.audioSink ?? browserAudioSink());
    this.#link = new LinkMonitor(
      this.#clock,
      {
        report: (change, elapsed) => listener.link(change, elapsed),
        restartIce: () => this.#transports.restartIce(),
        reset: () => this.#resetMedia(),
      },
      options.monitor,
    );
    this.#transports = new MediaTransports(session, options, {
      peerState: (role, state) => this.#peerState(role, state),
      newPublisher: () => this.#sampling.newPublisher(),
      negotiated: () => {
        this.#sent.state = undefined;
        this.#reconcile();
      },
      refused: (code, message) => {
        if (code === 'not_broadcaster' || code === 'media_unavailable') this.#publishRefused = true;
        this.listener.error(code, message);
        this.#reconcile();
      },
      publisherState: () => this.#tellLocal(),
      subscriberState: (state) => {
        if (state === 'failed') this.#dispatch({ type: 'transport', failed: true });
        else if (state === 'connected' && this.#remote.transportFailed)
          this.#dispatch({ type: 'transport', failed: false });
      },
      tracks: (list) => this.#tracks(list),
      error: (code, message) => this.listener.error(code, message),
    });
    this.#sampling = new MediaSampling(session, this.#link, options, listener, {
      transports: this.#transports,
      inChannel: () => this.#inChannel,
      remote: () => this.#remote,
      settings: () => this.#settings,
      sending: () => this.#sent.state,
      dispatch: (e) => this.#dispatch(e),
    });
    this.#frames = {
      transports: this.#transports,
      known: (uid) => session.remote.has(uid),
      published: (uid, kind, state) => this.#dispatch({ type: 'published', uid, kind, state }),
      offer: (frame) => this.#offer(frame),
      moved: () => this.#moved(),
      error: (code, message) => this.listener.error(code, message),
    };
    session.onMedia = (frame) => receiveMediaFrame(frame, this.#frames);
    session.onJoined = (joined) => this.#joined(joined.resumed, joined.role);
    session.holdsMedia = () =>
      this.#transports.publisher !== undefined || this.#transports.subscriber !== undefined;
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
    this.#sampling.setVolumeInterval(intervalMs);
  }

  /** Left the channel or failed for good: connections closed, remote state forgotten (nothing told). */
  stopped(): void {
    const reset = channelReset(this.#settings, this.defaults);
    if (!this.#inChannel && !this.#transports.publisher && !this.#transports.subscriber) {
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
    this.#sampling.stopVolume();
    this.session.onMedia = undefined;
    this.session.onJoined = undefined;
    this.session.holdsMedia = undefined;
  }

  #joined(resumed: boolean, role: WireRole): void {
    this.#role = role;
    const fresh = !resumed || !this.#inChannel;
    this.#inChannel = true;
    this.#link.dispatch(fresh ? { type: 'start' } : { type: 'signal', up: true });
    if (fresh) {
      if (this.#transports.publisher || this.#transports.subscriber) {
        this.#closeTransports();
        this.#dispatch({ type: 'transport_reset' });
      }
      this.#publishRefused = false;
    } else {
      this.#transports.resend();
    }
    this.#reconcile();
  }

  #closeTransports(): void {
    // What plays is stopped before the subscriber connection (and with it the list) is gone.
    for (const r of this.#received()) this.#sink?.stop(r.uid);
    this.#transports.close();
    this.#sent.forget();
    this.#sampling.stop();
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
    if (!this.#inChannel || (!this.#transports.publisher && !this.#transports.subscriber)) return;
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
      this.#sent.subscribe(plan.subscribe);
      this.#sampling.start();
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
      const was = this.#sent.state;
      if (this.#transports.publisher || (was && (was.audio !== 'off' || was.video !== 'off'))) {
        this.session.sendMedia({ type: 'media_unpublish' });
        this.#transports.closePublisher();
      }
      this.#sent.state = undefined;
      return;
    }
    // Tracks still being captured join the first offer rather than force a second one.
    if (KINDS.some((k) => desired[k] !== 'off' && this.#capture.pending(k))) return;
    const pub = this.#transports.publish();
    const actual = { audio: 'off', video: 'off' } as Published;
    for (const kind of KINDS) {
      const track = this.#capture.track(kind);
      actual[kind] = track ? desired[kind] : 'off';
      pub.setTrack(kind, actual[kind] === 'on' ? (track ?? null) : null);
    }
    // While an offer waits, the state goes out after the answer (the server counts a new track as 'on').
    if (pub.busy) return;
    this.#sent.sendState(actual);
  }

  #offer(frame: MediaOfferFrame): void {
    if (!this.#inChannel || !this.available) return;
    // The states as of the offer's arrival: a media event after it is newer and applies after.
    for (const t of frame.tracks)
      if (this.session.remote.has(t.uid))
        this.#dispatch({ type: 'published', uid: t.uid, kind: t.kind, state: t.state });
    this.#transports.offer(frame);
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
    return this.#transports.received;
  }

  #dispatch(event: RemoteEvent): void {
    const now = this.#clock.now();
    const result = remoteTransition(this.#remote, event, now, (uid, kind) =>
      wantsRemote(this.#settings, uid, kind),
    );
    this.#remote = result.state;
    for (const effect of result.effects) {
      if (effect.type === 'phase') this.#sampling.remotePhase(now, effect.uid, effect.kind, effect.phase);
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
    const sending = this.#sent.state;
    this.#local.update(
      (kind) => this.#capture.track(kind) !== undefined,
      (kind) =>
        this.#inChannel &&
        this.#transports.pubConnected &&
        this.#transports.publisher?.has(kind) === true &&
        sending !== undefined &&
        sending[kind] !== 'off',
    );
  }

  #elapsed(): number {
    return this.#clock.now() - this.session.joinStartedAt;
  }
}
