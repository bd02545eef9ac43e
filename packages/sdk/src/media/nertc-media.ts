import {
  NERtcErrorCode as C,
  isValidUid,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason as NR,
  RenderModeType,
  type TrackState,
} from '@holdfast/protocol';
import type { EngineShell } from '../engine/engine-shell.js';
import type { NERtcChannelEventCallback, NERtcNetworkQualityInfo } from '../engine/nertc-types.js';
import { nertcChannelId } from '../profiles/nertc.js';
import type { ChannelSession } from '../session/channel-session.js';
import { type MediaListener, MediaSession } from './media-session.js';
import type { MediaOptions } from './options.js';
import { channelReset, type MediaSettings, NERTC_MEDIA_DEFAULTS } from './plan.js';

type Shell = EngineShell<NERtcChannelEventCallback>;

/**
 * NERTC's `maxProfile` in onUserVideoStart. Holdfast does not know the publisher's video profile,
 * and MEDIA-FACTS records no NERtcVideoProfileType numbering: 0 is passed, not a profile claim.
 */
const UNKNOWN_PROFILE = 0;

const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isElement = (v: unknown): v is HTMLElement =>
  typeof v === 'object' && v !== null && typeof (v as HTMLElement).appendChild === 'function';
const started = (s: TrackState | undefined) => s === 'on' || s === 'muted';

/**
 * The NERTC media API over the profile-neutral MediaSession: audio on and subscribed by default,
 * the camera off until enableLocalVideo(true), remote video only by subscribeRemoteVideoStream.
 * Remote members' changes are onUserAudioStart/Stop, onUserVideoStart/Stop and
 * onUserAudioMute/onUserVideoMute; network quality every 2 s.
 */
export class NERtcMedia {
  #media: MediaSession | undefined;

  constructor(private readonly shell: Shell) {}

  get session(): MediaSession | undefined {
    return this.#media;
  }
  /** A media outage is told and not over: (Reconnecting, mediaConnectionDisconnected) is the state. */
  get reconnecting(): boolean {
    return this.#media?.linkDown === true;
  }

  attach(session: ChannelSession, options: MediaOptions = {}): void {
    this.#media?.dispose();
    this.#media = new MediaSession(session, NERTC_MEDIA_DEFAULTS, options, this.#listener(session));
  }

  release(): void {
    this.#media?.dispose();
    this.#media = undefined;
  }

  /** At joinChannel: per-channel settings (mutes, subscriptions) start afresh. */
  join(): void {
    const media = this.#media;
    if (media) media.update(channelReset(media.settings, NERTC_MEDIA_DEFAULTS));
  }

  flag(name: 'localAudio' | 'localVideo' | 'muteAudio' | 'muteVideo' | 'preview', value: unknown): number {
    const media = this.#media;
    if (!media) return C.invalidState;
    if (!isBool(value)) return C.invalidParam;
    media.update({ [name]: value } as Partial<MediaSettings>);
    return 0;
  }

  /** subscribeRemoteVideoStream / subscribeRemoteAudio: in a room only (30101 otherwise). */
  subscribe(kind: 'audio' | 'video', uid: number, subscribe: unknown): number {
    const media = this.#media;
    if (!media) return C.invalidState;
    if (!isBool(subscribe) || typeof uid !== 'number' || !isValidUid(uid) || uid === 0) return C.invalidParam;
    if (!media.inChannel) return C.roomNotJoined;
    const own = new Map(kind === 'audio' ? media.settings.remoteAudio : media.settings.remoteVideo);
    own.set(uid, subscribe);
    media.update(kind === 'audio' ? { remoteAudio: own } : { remoteVideo: own });
    return 0;
  }

  /** setupLocalVideoCanvas(view) / setupRemoteVideoCanvas(view, uid): an HTML element, or null to unbind. */
  canvas(view: unknown, uid: number | undefined): number {
    const media = this.#media;
    if (!media) return C.invalidState;
    if (view !== null && !isElement(view)) return C.invalidParam;
    const binding = view
      ? { view, renderMode: RenderModeType.RenderModeFit, mirror: uid === undefined }
      : undefined;
    if (uid === undefined) media.views.setLocal(binding);
    else if (typeof uid !== 'number' || !isValidUid(uid) || uid === 0) return C.invalidParam;
    else media.views.setRemote(uid, binding);
    return 0;
  }

  #listener(session: ChannelSession): MediaListener {
    const emit = this.shell.emit.bind(this.shell);
    return {
      local: () => {},
      firstLocalVideoFrame: () => {},
      remote: (e) => {
        if (e.type === 'first_decoded') {
          emit('onFirstVideoFrameDecoded', (cb) => cb.onFirstVideoFrameDecoded?.(e.uid, e.width, e.height));
          return;
        }
        if (e.type !== 'published') return;
        const { uid, from, to } = e;
        const wasOn = started(from);
        const isOn = started(to);
        if (e.kind === 'audio') {
          if (!wasOn && isOn) emit('onUserAudioStart', (cb) => cb.onUserAudioStart?.(uid));
          if (wasOn && !isOn) emit('onUserAudioStop', (cb) => cb.onUserAudioStop?.(uid));
          if (isOn && (from === 'muted') !== (to === 'muted') && (wasOn || to === 'muted'))
            emit('onUserAudioMute', (cb) => cb.onUserAudioMute?.(uid, to === 'muted'));
        } else {
          if (!wasOn && isOn) emit('onUserVideoStart', (cb) => cb.onUserVideoStart?.(uid, UNKNOWN_PROFILE));
          if (wasOn && !isOn) emit('onUserVideoStop', (cb) => cb.onUserVideoStop?.(uid));
          if (isOn && (from === 'muted') !== (to === 'muted') && (wasOn || to === 'muted'))
            emit('onUserVideoMute', (cb) => cb.onUserVideoMute?.(uid, to === 'muted'));
        }
      },
      firstRemoteVideoFrame: () => {},
      stats: (report) => {
        const list: NERtcNetworkQualityInfo[] = [
          { uid: session.uid, txQuality: report.txQuality, rxQuality: report.rxQuality },
        ];
        emit('onNetworkQuality', (cb) => cb.onNetworkQuality?.(list));
      },
      volume: () => {},
      error: () => emit('onError', (cb) => cb.onError?.(C.errorFatal)),
      // NERTC's own reason for it: (Reconnecting, mediaConnectionDisconnected 8), then (Connected,
      // rejoinSucceed 7), with the reconnect callbacks as for signalling. Its "lost" mark is not told.
      link: (change) => {
        if (change === 'down') {
          emit('onConnectionStateChanged', (cb) =>
            cb.onConnectionStateChanged?.(NERtcConnectionState.reconnecting, NR.mediaConnectionDisconnected),
          );
          emit('onReconnectingStart', (cb) => cb.onReconnectingStart?.());
        } else if (change === 'up') {
          emit('onConnectionStateChanged', (cb) =>
            cb.onConnectionStateChanged?.(NERtcConnectionState.connected, NR.rejoinSucceed),
          );
          emit('onReJoinChannel', (cb) => cb.onReJoinChannel?.(0, nertcChannelId(session.channel)));
        }
      },
    };
  }
}
