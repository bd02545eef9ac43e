import type { QualityType, RenderModeType, VideoMirrorModeType, VideoSourceType } from '@holdfast/protocol';

/** Statistics passed to onLeaveChannel and, every 2 s in a channel, to onRtcStats (Agora RtcStats). */
export interface RtcStats {
  /** Seconds in the channel. */
  duration?: number;
  /** Bytes sent and received: signalling plus media. */
  txBytes?: number;
  rxBytes?: number;
  userCount?: number;
  connectTimeMs?: number;
  /** Last measured round-trip time, ms: to the media endpoint when media flows, else the signalling one. */
  lastmileDelay?: number;
  txAudioBytes?: number;
  txVideoBytes?: number;
  rxAudioBytes?: number;
  rxVideoBytes?: number;
  /** Kbps over the last 2 s. */
  txKBitRate?: number;
  rxKBitRate?: number;
  txAudioKBitRate?: number;
  rxAudioKBitRate?: number;
  txVideoKBitRate?: number;
  rxVideoKBitRate?: number;
  /** % of what this client sent that the server lost (its RTCP reports), over the last reports. */
  txPacketLossRate?: number;
  /** % of what this client should have received that it lost, over the last 2 s. */
  rxPacketLossRate?: number;
}

/** onRemoteVideoStats, every 2 s per remote user whose video this client receives (main fields). */
export interface RemoteVideoStats {
  uid?: number;
  /** Mean jitter-buffer delay, ms (Agora's deprecated `delay`). */
  delay?: number;
  width?: number;
  height?: number;
  /** Kbps. */
  receivedBitrate?: number;
  decoderOutputFrameRate?: number;
  rendererOutputFrameRate?: number;
  /** % over the last 2 s. */
  packetLossRate?: number;
  /** ms frozen since the user's video started (a freeze: no new frame for 600 ms). */
  totalFrozenTime?: number;
  /** % of the time since the video started. */
  frozenRate?: number;
}

/** onRemoteAudioStats, every 2 s per remote user whose audio this client receives (main fields). */
export interface RemoteAudioStats {
  uid?: number;
  quality?: QualityType;
  /** Half the round-trip time to the media endpoint, ms. */
  networkTransportDelay?: number;
  jitterBufferDelay?: number;
  /** % over the last 2 s. */
  audioLossRate?: number;
  /** Kbps. */
  receivedBitrate?: number;
  totalFrozenTime?: number;
  frozenRate?: number;
}

/** One entry of onAudioVolumeIndication. `uid` 0 is the local user. */
export interface AudioVolumeInfo {
  uid?: number;
  /** 0..255. */
  volume?: number;
  /** Local: 1 while the microphone hears voice (with reportVad), else 0; remote: always 1 (as Agora). */
  vad?: number;
  voicePitch?: number;
}

/**
 * Where a video is drawn (Agora VideoCanvas): `view` is an HTML element the SDK puts a `<video>`
 * in (null unbinds). `renderMode` defaults to Hidden (crop to fill); the local view is mirrored
 * unless `mirrorMode` is Disabled, a remote view only when it is Enabled.
 */
export interface VideoCanvas {
  uid?: number;
  view?: HTMLElement | null;
  renderMode?: RenderModeType;
  mirrorMode?: VideoMirrorModeType;
  sourceType?: VideoSourceType;
}

/** Agora's EchoTestConfiguration (startEchoTest). */
export interface EchoTestConfiguration {
  /** Where the echoed video is drawn (an HTML element); only with `enableVideo`. */
  view?: HTMLElement | null;
  /** Test the microphone (default true). */
  enableAudio?: boolean;
  /** Test the camera too (default false, as the RN/Web docs; the native docs' true is not taken). */
  enableVideo?: boolean;
  /** A token for `channelId` and uid 0xFFFFFFFF, when the app has a certificate. */
  token?: string;
  /** The test's channel: one per device, never a channel others join. */
  channelId?: string;
  /** How long until the user hears (and sees) themselves, 2..10 s (default 2). */
  intervalInSeconds?: number;
}
