import type { VideoCodecChoice } from './codec-preference.js';
import type { MediaDevicesLike } from './devices.js';
import type { LinkConfig } from './link-machine.js';
import type { PeerConstructor } from './peer.js';
import type { AudioSink } from './playout.js';

/**
 * The media seams, for both engine profiles. In a browser every one has a default; in Node pass
 * `RTCPeerConnection` from `@roamhq/wrtc` (and a `mediaDevices` with a getUserMedia that returns
 * its tracks) to take part in calls. Without an RTCPeerConnection the engine has no media: the
 * media calls still return 0 and remember their settings, and nothing is sent or received.
 */
export interface MediaOptions {
  /** The WebRTC implementation. Default: the global RTCPeerConnection. */
  RTCPeerConnection?: PeerConstructor;
  /** Where the microphone and camera come from. Default: navigator.mediaDevices. */
  mediaDevices?: MediaDevicesLike;
  /**
   * STUN/TURN servers for this client's candidates. Default none: the server announces its own
   * addresses, which a client on the same network (or the server's public address) reaches.
   */
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  /** Plays remote audio. Default: a detached `<audio>` per remote user in browsers; null: none. */
  audioSink?: AudioSink | null;
  /** How often the remote tracks' counters are sampled to tell Decoding from Frozen, ms. Default 250. */
  flowIntervalMs?: number;
  /** The stats and network-quality period, ms. Default 2000 (Agora's and NERTC's). */
  statsIntervalMs?: number;
  /**
   * The codec this client's camera is sent in. 'h264': H.264 (packetization mode 1, Constrained
   * Baseline 42e01f) when the browser has it, else VP8; every subscriber receives the track in it.
   * Default 'vp8'.
   */
  videoCodec?: VideoCodecChoice;
  /** The media connection machine's timings (tests): 4 s to an outage, 3 s to step 2, … */
  monitor?: Partial<LinkConfig>;
}
