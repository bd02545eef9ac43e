import { ErrorCodeType as E, isValidUid, RenderModeType, VideoMirrorModeType } from '@holdfast/protocol';
import { ECHO_TEST_UID, type EchoTestRequest } from '../engine/echo-test.js';
import type { EngineShell } from '../engine/engine-shell.js';
import type {
  ChannelMediaOptions,
  IRtcEngineEventHandler,
  RtcConnection,
  VideoCanvas,
} from '../engine/types.js';
import type { ChannelSession } from '../session/channel-session.js';
import { agoraMediaListener } from './agora-media-events.js';
import { type MediaListener, MediaSession } from './media-session.js';
import type { MediaOptions } from './options.js';
import { AGORA_MEDIA_DEFAULTS, channelReset, type MediaSettings } from './plan.js';
import { VolumeMeter } from './volume.js';

type Shell = EngineShell<IRtcEngineEventHandler>;

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isElement = (v: unknown): v is HTMLElement =>
  typeof v === 'object' && v !== null && typeof (v as HTMLElement).appendChild === 'function';

/**
 * The Agora NG media API over the profile-neutral MediaSession: argument checks and return
 * codes, the settings each call changes, and the callbacks in Agora's numbering. The engine's
 * methods delegate here; nothing here knows WebRTC.
 */
export class AgoraMedia {
  #media: MediaSession | undefined;
  #volume = new VolumeMeter();
  /** A media outage was told (Reconnecting, Interrupted) and no Connected has been told since. */
  #outageTold = false;
  /** The app's settings from before the running echo test, given back when it stops. */
  #beforeEcho: MediaSettings | undefined;

  constructor(
    private readonly shell: Shell,
    private readonly connection: () => RtcConnection,
  ) {}

  get session(): MediaSession | undefined {
    return this.#media;
  }

  /**
   * What the media connection adds to the connection state: Reconnecting while a media outage is
   * told and not over (signalling itself Connected). getConnectionState reads it.
   */
  get reconnecting(): boolean {
    return this.#media?.linkDown === true;
  }

  /**
   * Whether a signalling change repeats what the media outage already told: signalling dropping
   * during one is (Reconnecting, Interrupted) again, with onConnectionInterrupted again — neither
   * is told twice. Told Connected (by either) ends the outage.
   */
  repeats(status: string, reason: string): boolean {
    if (status === 'connected' || status === 'disconnected' || status === 'failed') this.#outageTold = false;
    return this.#outageTold && status === 'reconnecting' && reason === 'interrupted';
  }
  get outageTold(): boolean {
    return this.#outageTold;
  }

  attach(session: ChannelSession, options: MediaOptions = {}): void {
    this.#media?.dispose();
    this.#media = new MediaSession(session, AGORA_MEDIA_DEFAULTS, options, this.#listener());
  }

  release(): void {
    this.#media?.dispose();
    this.#media = undefined;
  }

  /** joinChannel's media options: per-channel settings start afresh. Returns 0 or -2. */
  join(options: ChannelMediaOptions): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    const patch = this.#options(options, true);
    if (!patch) return -E.ErrInvalidArgument;
    media.update({ ...channelReset(media.settings, AGORA_MEDIA_DEFAULTS), ...patch });
    return 0;
  }

  /**
   * startEchoTest's media (the engine checked the config and joins the test's channel): the
   * microphone (and camera) published, this client's own tracks subscribed with the echo delay,
   * the echoed video drawn in `view`. Other settings are put aside until stopEcho.
   */
  startEcho(r: EchoTestRequest): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    this.#beforeEcho = media.settings;
    media.update({
      ...channelReset(media.settings, AGORA_MEDIA_DEFAULTS),
      audioModule: r.audio,
      localAudio: r.audio,
      publishMic: r.audio,
      autoSubAudio: r.audio,
      videoModule: r.video,
      localVideo: r.video,
      publishCamera: r.video,
      autoSubVideo: r.video,
      preview: false,
      echoDelayMs: r.delayMs,
    });
    if (r.view && r.video)
      media.views.setRemote(ECHO_TEST_UID, {
        view: r.view,
        renderMode: RenderModeType.RenderModeFit,
        mirror: false,
      });
    return 0;
  }

  /** The test's channel was left: the settings from before the test come back. */
  stopEcho(): void {
    const before = this.#beforeEcho;
    this.#beforeEcho = undefined;
    this.#media?.views.setRemote(ECHO_TEST_UID, undefined);
    if (before) this.#media?.update({ ...before, echoDelayMs: undefined });
  }

  /** updateChannelMediaOptions' media fields (the engine checks it is in a channel). */
  updateOptions(options: ChannelMediaOptions): number {
    const patch = this.#options(options, false);
    if (!patch) return -E.ErrInvalidArgument;
    return this.#set(patch);
  }

  enableAudio(on: boolean): number {
    return on
      ? this.#set({ audioModule: true, localAudio: true, muteAllAudio: false, remoteAudio: new Map() })
      : this.#set({ audioModule: false });
  }

  enableVideo(on: boolean): number {
    return on
      ? this.#set({ videoModule: true, localVideo: true, muteAllVideo: false, remoteVideo: new Map() })
      : this.#set({ videoModule: false });
  }

  flag(name: 'localAudio' | 'localVideo' | 'muteAudio' | 'muteVideo' | 'preview', value: unknown): number {
    if (!isBool(value)) return this.#media ? -E.ErrInvalidArgument : -E.ErrNotInitialized;
    return this.#set({ [name]: value });
  }

  muteRemote(kind: 'audio' | 'video', uid: number, mute: unknown): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    if (!isBool(mute) || typeof uid !== 'number' || !isValidUid(uid) || uid === 0)
      return -E.ErrInvalidArgument;
    const own = new Map(kind === 'audio' ? media.settings.remoteAudio : media.settings.remoteVideo);
    own.set(uid, !mute);
    return this.#set(kind === 'audio' ? { remoteAudio: own } : { remoteVideo: own });
  }

  muteAll(kind: 'audio' | 'video', mute: unknown): number {
    if (!isBool(mute)) return this.#media ? -E.ErrInvalidArgument : -E.ErrNotInitialized;
    return this.#set(
      kind === 'audio'
        ? { muteAllAudio: mute, remoteAudio: new Map() }
        : { muteAllVideo: mute, remoteVideo: new Map() },
    );
  }

  setupVideo(canvas: VideoCanvas, local: boolean): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    if (!canvas || typeof canvas !== 'object') return -E.ErrInvalidArgument;
    const view = canvas.view ?? null;
    if (view !== null && !isElement(view)) return -E.ErrInvalidArgument;
    const mirrorMode = canvas.mirrorMode ?? VideoMirrorModeType.VideoMirrorModeAuto;
    const binding = view && {
      view,
      renderMode: canvas.renderMode ?? RenderModeType.RenderModeHidden,
      mirror:
        mirrorMode === VideoMirrorModeType.VideoMirrorModeEnabled ||
        (local && mirrorMode === VideoMirrorModeType.VideoMirrorModeAuto),
    };
    if (local) media.views.setLocal(binding ?? undefined);
    else {
      const uid = canvas.uid;
      if (typeof uid !== 'number' || !isValidUid(uid) || uid === 0) return -E.ErrInvalidArgument;
      media.views.setRemote(uid, binding ?? undefined);
    }
    return 0;
  }

  enableVolumeIndication(interval: number, smooth: number, reportVad: boolean): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || !Number.isInteger(smooth))
      return -E.ErrInvalidArgument;
    if (smooth < 0 || smooth > 10) return -E.ErrInvalidArgument;
    this.#volume.configure(smooth, reportVad === true);
    media.setVolumeInterval(interval > 0 ? Math.max(10, interval) : 0);
    return 0;
  }

  #set(patch: Partial<MediaSettings>): number {
    const media = this.#media;
    if (!media) return -E.ErrNotInitialized;
    media.update(patch);
    return 0;
  }

  #options(o: ChannelMediaOptions, join: boolean): Partial<MediaSettings> | undefined {
    const fields = [
      ['publishMicrophoneTrack', 'publishMic'],
      ['publishCameraTrack', 'publishCamera'],
      ['autoSubscribeAudio', 'autoSubAudio'],
      ['autoSubscribeVideo', 'autoSubVideo'],
    ] as const;
    const patch: Partial<MediaSettings> = {};
    for (const [option, setting] of fields) {
      const v = o[option];
      if (v === undefined) {
        // At join an option left out takes its default; an update leaves it as it is.
        if (join) patch[setting] = AGORA_MEDIA_DEFAULTS[setting];
      } else if (isBool(v)) patch[setting] = v;
      else return undefined;
    }
    return patch;
  }

  #listener(): MediaListener {
    return agoraMediaListener(this.shell, this.connection, this.#volume, (told) => {
      this.#outageTold = told;
    });
  }
}
