import type { MediaKind, MediaSubscribeFrame, TrackState } from '@holdfast/protocol';

/**
 * What the app asked for, profile-neutral. The Agora and NERTC engines translate their calls into
 * these fields; `mediaPlan` derives from them (and the channel context) what to capture, what to
 * publish and what to subscribe to. Nothing here does IO.
 */
export interface MediaSettings {
  /** Agora enableAudio/disableAudio: the whole audio module (capture, publish, playback). */
  audioModule: boolean;
  /** Agora enableVideo/disableVideo: the whole video module. */
  videoModule: boolean;
  /** enableLocalAudio: microphone capture (and, in NERTC, sending). */
  localAudio: boolean;
  /** enableLocalVideo: camera capture (and sending). */
  localVideo: boolean;
  /** muteLocalAudioStream: capture goes on, nothing is sent. */
  muteAudio: boolean;
  muteVideo: boolean;
  /** ChannelMediaOptions.publishMicrophoneTrack / publishCameraTrack. */
  publishMic: boolean;
  publishCamera: boolean;
  /** ChannelMediaOptions.autoSubscribeAudio / autoSubscribeVideo (NERTC: audio yes, video no). */
  autoSubAudio: boolean;
  autoSubVideo: boolean;
  /** muteAllRemoteAudioStreams / muteAllRemoteVideoStreams. */
  muteAllAudio: boolean;
  muteAllVideo: boolean;
  /** Per-user choices over the default: uid → subscribed (muteRemote*Stream, subscribeRemoteVideoStream). */
  remoteAudio: ReadonlyMap<number, boolean>;
  remoteVideo: ReadonlyMap<number, boolean>;
  /** startPreview: the camera runs outside a channel too. */
  preview: boolean;
  /** Agora startEchoTest: the server sends this client's own tracks back after this many ms. */
  echoDelayMs?: number;
}

/** Where the engine is: in a channel (joined, connected or reconnecting) and allowed to publish. */
export interface MediaContext {
  inChannel: boolean;
  /** Communication profile, or a broadcaster in live broadcasting. */
  canPublish: boolean;
}

export interface MediaPlan {
  /** Which devices should be capturing. */
  capture: Record<MediaKind, boolean>;
  /** What this client should publish (undefined: nothing, not even an `off` state). */
  publish: Record<MediaKind, TrackState> | undefined;
  /** The subscription to ask for (undefined: none, not in a channel). */
  subscribe: Omit<MediaSubscribeFrame, 'type'> | undefined;
}

/** Agora's defaults: audio on, the video module off until enableVideo, everything subscribed. */
export const AGORA_MEDIA_DEFAULTS: MediaSettings = {
  audioModule: true,
  videoModule: false,
  localAudio: true,
  localVideo: true,
  muteAudio: false,
  muteVideo: false,
  publishMic: true,
  publishCamera: true,
  autoSubAudio: true,
  autoSubVideo: true,
  muteAllAudio: false,
  muteAllVideo: false,
  remoteAudio: new Map(),
  remoteVideo: new Map(),
  preview: false,
};

/**
 * NERTC's defaults: the microphone on after joining, the camera off until enableLocalVideo(true);
 * remote audio subscribed by default, remote video not (subscribeRemoteVideoStream per user).
 */
export const NERTC_MEDIA_DEFAULTS: MediaSettings = {
  ...AGORA_MEDIA_DEFAULTS,
  videoModule: true,
  localVideo: false,
  autoSubVideo: false,
};

/** Settings that last for one channel: reset when the engine leaves (and at each join). */
export function channelReset(s: MediaSettings, defaults: MediaSettings): MediaSettings {
  return {
    ...s,
    muteAudio: defaults.muteAudio,
    muteVideo: defaults.muteVideo,
    muteAllAudio: defaults.muteAllAudio,
    muteAllVideo: defaults.muteAllVideo,
    remoteAudio: new Map(),
    remoteVideo: new Map(),
  };
}

export function mediaPlan(s: MediaSettings, ctx: MediaContext): MediaPlan {
  const publishing = ctx.inChannel && ctx.canPublish;
  const audio = s.audioModule && s.localAudio && publishing && s.publishMic;
  const publishVideo = s.videoModule && s.localVideo && publishing && s.publishCamera;
  const video = publishVideo || (s.videoModule && s.preview);
  return {
    capture: { audio, video },
    publish: publishing
      ? {
          audio: audio ? (s.muteAudio ? 'muted' : 'on') : 'off',
          video: publishVideo ? (s.muteVideo ? 'muted' : 'on') : 'off',
        }
      : undefined,
    subscribe: ctx.inChannel ? subscription(s) : undefined,
  };
}

/** Whether this client wants `uid`'s track of `kind` forwarded to it. */
export function wantsRemote(s: MediaSettings, uid: number, kind: MediaKind): boolean {
  const module = kind === 'audio' ? s.audioModule : s.videoModule;
  if (!module) return false;
  const own = (kind === 'audio' ? s.remoteAudio : s.remoteVideo).get(uid);
  return own ?? defaultFor(s, kind);
}

function defaultFor(s: MediaSettings, kind: MediaKind): boolean {
  return kind === 'audio' ? s.autoSubAudio && !s.muteAllAudio : s.autoSubVideo && !s.muteAllVideo;
}

function subscription(s: MediaSettings): Omit<MediaSubscribeFrame, 'type'> {
  const audio = s.audioModule && defaultFor(s, 'audio');
  const video = s.videoModule && defaultFor(s, 'video');
  const paused: Array<{ uid: number; kind: MediaKind }> = [];
  const wanted: Array<{ uid: number; kind: MediaKind }> = [];
  const sort = (m: ReadonlyMap<number, boolean>) => [...m].sort(([a], [b]) => a - b);
  for (const [kind, module, dflt, own] of [
    ['audio', s.audioModule, audio, s.remoteAudio],
    ['video', s.videoModule, video, s.remoteVideo],
  ] as const) {
    if (!module) continue;
    for (const [uid, on] of sort(own)) {
      if (dflt && !on) paused.push({ uid, kind });
      if (!dflt && on) wanted.push({ uid, kind });
    }
  }
  const frame: Omit<MediaSubscribeFrame, 'type'> = { audio, video };
  if (paused.length) frame.paused = paused;
  if (wanted.length) frame.wanted = wanted;
  if (s.echoDelayMs !== undefined) frame.echo = { delayMs: s.echoDelayMs };
  return frame;
}

/** Two subscriptions are the same request (no need to send it again). */
export function sameSubscription(
  a: Omit<MediaSubscribeFrame, 'type'> | undefined,
  b: Omit<MediaSubscribeFrame, 'type'> | undefined,
): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
