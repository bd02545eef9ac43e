import {
  ConnectionChangedReasonType,
  ConnectionStateType,
  ErrorCodeType as E,
  isValidUid,
  LocalAudioStreamReason as LAR,
  LocalAudioStreamState as LAS,
  LocalVideoStreamReason as LVR,
  LocalVideoStreamState as LVS,
  type QualityType,
  type RemoteAudioState,
  type RemoteAudioStateReason,
  RemoteVideoState,
  type RemoteVideoStateReason,
  RenderModeType,
  VideoMirrorModeType,
  VideoSourceType,
} from '@holdfast/protocol';
import { ECHO_TEST_UID, type EchoTestRequest } from '../engine/echo-test.js';
import type { EngineShell } from '../engine/engine-shell.js';
import type {
  ChannelMediaOptions,
  IRtcEngineEventHandler,
  RtcConnection,
  RtcStats,
  VideoCanvas,
} from '../engine/types.js';
import type { ChannelSession } from '../session/channel-session.js';
import type { CaptureFailure } from './devices.js';
import type { LocalPhase } from './local-phases.js';
import { type MediaListener, MediaSession } from './media-session.js';
import type { MediaOptions } from './options.js';
import { AGORA_MEDIA_DEFAULTS, channelReset, type MediaSettings } from './plan.js';
import type { RemoteCause, RemotePhase } from './remote-state.js';
import { quality } from './stats.js';
import { VolumeMeter } from './volume.js';

type Shell = EngineShell<IRtcEngineEventHandler>;

const PHASE: Record<RemotePhase, number> = {
  stopped: RemoteVideoState.RemoteVideoStateStopped,
  starting: RemoteVideoState.RemoteVideoStateStarting,
  decoding: RemoteVideoState.RemoteVideoStateDecoding,
  frozen: RemoteVideoState.RemoteVideoStateFrozen,
  failed: RemoteVideoState.RemoteVideoStateFailed,
};
// RemoteAudioStateReason and RemoteVideoStateReason share 0–7 (MEDIA-FACTS §C.4).
const CAUSE: Record<RemoteCause, number> = {
  internal: 0,
  network_congestion: 1,
  network_recovery: 2,
  local_muted: 3,
  local_unmuted: 4,
  remote_muted: 5,
  remote_unmuted: 6,
  remote_offline: 7,
};
const LOCAL_AUDIO: Record<LocalPhase, LAS> = {
  stopped: LAS.LocalAudioStreamStateStopped,
  capturing: LAS.LocalAudioStreamStateRecording,
  encoding: LAS.LocalAudioStreamStateEncoding,
  failed: LAS.LocalAudioStreamStateFailed,
};
const LOCAL_VIDEO: Record<LocalPhase, LVS> = {
  stopped: LVS.LocalVideoStreamStateStopped,
  capturing: LVS.LocalVideoStreamStateCapturing,
  encoding: LVS.LocalVideoStreamStateEncoding,
  failed: LVS.LocalVideoStreamStateFailed,
};
const AUDIO_FAILURE: Record<CaptureFailure, LAR> = {
  no_permission: LAR.LocalAudioStreamReasonDeviceNoPermission,
  busy: LAR.LocalAudioStreamReasonDeviceBusy,
  not_found: LAR.LocalAudioStreamReasonNoRecordingDevice,
  failure: LAR.LocalAudioStreamReasonFailure,
};
const VIDEO_FAILURE: Record<CaptureFailure, LVR> = {
  no_permission: LVR.LocalVideoStreamReasonDeviceNoPermission,
  busy: LVR.LocalVideoStreamReasonDeviceBusy,
  not_found: LVR.LocalVideoStreamReasonDeviceNotFound,
  failure: LVR.LocalVideoStreamReasonCaptureFailure,
};
/** media_error codes as Agora error codes (onError): refused, not ready, failed. */
const ERROR: Record<string, E> = {
  not_broadcaster: E.ErrRefused,
  media_unavailable: E.ErrNotReady,
};

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
    const emit = this.shell.emit.bind(this.shell);
    const conn = () => this.connection();
    return {
      local: (kind, phase, failure) => {
        if (kind === 'audio') {
          const reason = failure ? AUDIO_FAILURE[failure] : LAR.LocalAudioStreamReasonOk;
          emit('onLocalAudioStateChanged', (h) =>
            h.onLocalAudioStateChanged?.(conn(), LOCAL_AUDIO[phase], reason),
          );
        } else {
          const reason = failure ? VIDEO_FAILURE[failure] : LVR.LocalVideoStreamReasonOk;
          emit('onLocalVideoStateChanged', (h) =>
            h.onLocalVideoStateChanged?.(
              VideoSourceType.VideoSourceCameraPrimary,
              LOCAL_VIDEO[phase],
              reason,
            ),
          );
        }
      },
      firstLocalVideoFrame: (w, h, elapsed) =>
        emit('onFirstLocalVideoFrame', (x) =>
          x.onFirstLocalVideoFrame?.(VideoSourceType.VideoSourceCameraPrimary, w, h, elapsed),
        ),
      remote: (e, elapsed) => {
        const c = conn();
        if (e.type === 'first_decoded') {
          emit('onFirstRemoteVideoDecoded', (h) =>
            h.onFirstRemoteVideoDecoded?.(c, e.uid, e.width, e.height, elapsed),
          );
        } else if (e.type === 'phase') {
          const state = PHASE[e.phase];
          const reason = CAUSE[e.cause];
          if (e.kind === 'audio')
            emit('onRemoteAudioStateChanged', (h) =>
              h.onRemoteAudioStateChanged?.(
                c,
                e.uid,
                state as RemoteAudioState,
                reason as RemoteAudioStateReason,
                elapsed,
              ),
            );
          else
            emit('onRemoteVideoStateChanged', (h) =>
              h.onRemoteVideoStateChanged?.(
                c,
                e.uid,
                state as RemoteVideoState,
                reason as RemoteVideoStateReason,
                elapsed,
              ),
            );
        } else {
          const { from, to, uid } = e;
          // Mute ↔ unmute (and a user first seen muted) is onUserMute*; video on ↔ off is onUserEnableVideo.
          const muteChange =
            (from === 'on' && to === 'muted') ||
            (from !== undefined && from === 'muted' && to === 'on') ||
            (from === undefined && to === 'muted');
          if (muteChange && e.kind === 'audio')
            emit('onUserMuteAudio', (h) => h.onUserMuteAudio?.(c, uid, to === 'muted'));
          if (muteChange && e.kind === 'video')
            emit('onUserMuteVideo', (h) => h.onUserMuteVideo?.(c, uid, to === 'muted'));
          if (e.kind === 'video' && from !== undefined && (from === 'off') !== (to === 'off'))
            emit('onUserEnableVideo', (h) => h.onUserEnableVideo?.(c, uid, to !== 'off'));
        }
      },
      firstRemoteVideoFrame: (uid, w, h, elapsed) =>
        emit('onFirstRemoteVideoFrame', (x) => x.onFirstRemoteVideoFrame?.(conn(), uid, w, h, elapsed)),
      // Agora has one connection to its servers: media that cannot flow for 4 s is that connection
      // interrupted (the seed's Connected means "can publish or subscribe to audio and video").
      link: (change, elapsed) => {
        const c = conn();
        const S = ConnectionStateType;
        const R = ConnectionChangedReasonType;
        if (change === 'up') {
          this.#outageTold = false;
          emit('onConnectionStateChanged', (h) =>
            h.onConnectionStateChanged?.(c, S.ConnectionStateConnected, R.ConnectionChangedRejoinSuccess),
          );
          emit('onRejoinChannelSuccess', (h) => h.onRejoinChannelSuccess?.(c, elapsed));
          return;
        }
        const reason = change === 'down' ? R.ConnectionChangedInterrupted : R.ConnectionChangedLost;
        this.#outageTold = true;
        emit('onConnectionStateChanged', (h) =>
          h.onConnectionStateChanged?.(c, S.ConnectionStateReconnecting, reason),
        );
        if (change === 'down') emit('onConnectionInterrupted', (h) => h.onConnectionInterrupted?.(c));
        else emit('onConnectionLost', (h) => h.onConnectionLost?.(c));
      },
      stats: (report) => {
        const c = conn();
        const session = this.shell.session?.stats();
        const t = report.transport;
        const stats: RtcStats = {
          duration: session?.duration,
          txBytes: t.txBytes + (session?.txBytes ?? 0),
          rxBytes: t.rxBytes + (session?.rxBytes ?? 0),
          userCount: session?.userCount,
          connectTimeMs: session?.connectTimeMs,
          lastmileDelay: t.rttMs ?? session?.lastRttMs,
          txAudioBytes: t.txAudioBytes,
          txVideoBytes: t.txVideoBytes,
          rxAudioBytes: t.rxAudioBytes,
          rxVideoBytes: t.rxVideoBytes,
          txKBitRate: t.txKBitRate,
          rxKBitRate: t.rxKBitRate,
          txAudioKBitRate: t.txAudioKBitRate,
          rxAudioKBitRate: t.rxAudioKBitRate,
          txVideoKBitRate: t.txVideoKBitRate,
          rxVideoKBitRate: t.rxVideoKBitRate,
          txPacketLossRate: t.txPacketLossRate,
          rxPacketLossRate: t.rxPacketLossRate,
        };
        emit('onRtcStats', (h) => h.onRtcStats?.(c, stats));
        const tx = report.txQuality as QualityType;
        const rx = report.rxQuality as QualityType;
        emit('onNetworkQuality', (h) => h.onNetworkQuality?.(c, 0, tx, rx));
        for (const r of report.remote) {
          const frozen = { totalFrozenTime: r.totalFrozenTime, frozenRate: r.frozenRate };
          if (r.kind === 'video')
            emit('onRemoteVideoStats', (h) =>
              h.onRemoteVideoStats?.(c, {
                uid: r.uid,
                delay: r.jitterBufferMs,
                width: r.width,
                height: r.height,
                receivedBitrate: r.bitrate,
                decoderOutputFrameRate: r.fps,
                rendererOutputFrameRate: r.fps,
                packetLossRate: r.lossRate,
                ...frozen,
              }),
            );
          else
            emit('onRemoteAudioStats', (h) =>
              h.onRemoteAudioStats?.(c, {
                uid: r.uid,
                quality: quality(r.lossRate, t.rttMs, r.bitrate > 0) as QualityType,
                networkTransportDelay: t.rttMs !== undefined ? Math.round(t.rttMs / 2) : undefined,
                jitterBufferDelay: r.jitterBufferMs,
                audioLossRate: r.lossRate,
                receivedBitrate: r.bitrate,
                ...frozen,
              }),
            );
        }
      },
      volume: (local, remote) => {
        const c = conn();
        const { self, others, total } = this.#volume.measure(local, remote);
        emit('onAudioVolumeIndication', (h) => h.onAudioVolumeIndication?.(c, [self], 1, self.volume ?? 0));
        if (others.length)
          emit('onAudioVolumeIndication', (h) =>
            h.onAudioVolumeIndication?.(c, others, others.length, total),
          );
      },
      error: (code, message) =>
        emit('onError', (h) => h.onError?.(ERROR[code] ?? E.ErrFailed, `media: ${message}`)),
    };
  }
}
