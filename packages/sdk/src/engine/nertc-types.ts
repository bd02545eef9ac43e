import type {
  Clock,
  NERtcChannelProfile,
  NERtcClientRole,
  NERtcConnectionState,
  NERtcConnectionStateChangeReason,
  NERtcNetworkStatus,
} from '@holdfast/protocol';
import type { ReconnectPolicy } from '../connection/types.js';
import type { MediaOptions } from '../media/options.js';
import type {
  NetworkSource,
  ProxyTransportFactory,
  TransportFactory,
  WebSocketConstructor,
} from '../transport/types.js';
import type { EngineTiming } from './types.js';

/**
 * Callbacks, NERTC shape (Flutter `NERtcChannelEventCallback`, NERTC numbering). Every member is
 * optional; handlers run synchronously and an exception in one never breaks the engine.
 */
export interface NERtcChannelEventCallback {
  /** Join finished: `result` 0 = joined (then `uid` is the real uid), otherwise an NERtcErrorCode. `elapsed` in ms. */
  onJoinChannel?(result: number, channelId: number, elapsed: number, uid: number): void;
  /** The room connection state changed (NERtcConnectionState), with an NERtcConnectionStateChangeReason. */
  onConnectionStateChanged?(state: NERtcConnectionState, reason: NERtcConnectionStateChangeReason): void;
  /** The connection broke after a successful join and the SDK started reconnecting. */
  onReconnectingStart?(): void;
  /** Rejoined after a reconnect (`result` 0). */
  onReJoinChannel?(result: number, channelId: number): void;
  /**
   * The call is over without the app leaving: 30206 kicked, 30207 room closed, 30209 the same uid
   * joined elsewhere, 30205 the SDK gave up reconnecting, 902 the permission key expired, or the
   * code of a refused rejoin.
   */
  onDisconnect?(reason: number): void;
  /** leaveChannel finished (`result` 0). */
  onLeaveChannel?(result: number): void;
  onUserJoined?(uid: number): void;
  /** A remote user left: NERtcSessionLeaveReason (0 normal, 3 kicked, 4 timed out). */
  onUserLeave?(uid: number, reason: number): void;
  onClientRoleChange?(oldRole: NERtcClientRole, newRole: NERtcClientRole): void;
  /** The permission key (the join privilege of the token) expires in 30 s: call updatePermissionKey. */
  onPermissionKeyWillExpire?(): void;
  onError?(code: number): void;
  /** A remote member enabled its data channel (enableLocalData(true)), or its first message arrived. */
  onUserDataStart?(uid: number): void;
  /** A remote member disabled its data channel, or left. */
  onUserDataStop?(uid: number): void;
  /** A data-channel message: in send order per sender, exactly once, also across reconnects. */
  onUserDataReceiveMessage?(uid: number, bufferData: Uint8Array, bufferSize: number): void;
  /**
   * Holdfast extension (NERTC documents no such callback): data messages from `uid` that are late
   * (`cached`, more than 5 s, delivered next) or lost for good (`missed`); for the local uid, the
   * engine's own messages that were not sent. `code` is Agora's ErrorCodeType (117 timeout).
   */
  onUserDataMessageError?(uid: number, code: number, missed: number, cached: number): void;
  /** A remote member started sending audio (enableLocalAudio(true), or it was already when this client joined). */
  onUserAudioStart?(uid: number): void;
  /** A remote member stopped sending audio (enableLocalAudio(false), or it stopped publishing). */
  onUserAudioStop?(uid: number): void;
  /** A remote member started video. `maxProfile` is 0: Holdfast does not know the publisher's profile. */
  onUserVideoStart?(uid: number, maxProfile: number): void;
  onUserVideoStop?(uid: number): void;
  /** A remote member muted (true) or unmuted its audio (muteLocalAudioStream). */
  onUserAudioMute?(uid: number, muted: boolean): void;
  /** A remote member muted (true) or unmuted its video (muteLocalVideoStream). */
  onUserVideoMute?(uid: number, muted: boolean): void;
  /** The first video frame of a subscribed member was decoded. */
  onFirstVideoFrameDecoded?(uid: number, width: number, height: number): void;
  /**
   * Every 2 s in a room: this client's entry (its uid; tx what it sends, rx what it receives), as
   * NERtcNetworkStatus (0 unknown … 6 down).
   */
  onNetworkQuality?(statsList: NERtcNetworkQualityInfo[]): void;
}

/** One member's network quality (Flutter NERtcNetworkQualityInfo). */
export interface NERtcNetworkQualityInfo {
  uid: number;
  txQuality: NERtcNetworkStatus | number;
  rxQuality: NERtcNetworkStatus | number;
}

/** Holdfast engine options (the platform seams and timings; NERTC's media options do not apply). */
export interface NERtcOptions {
  /** Defaults: 4 s to notice a silent connection, give up 40 s after reconnecting starts. */
  timing?: EngineTiming;
  reconnectPolicy?: ReconnectPolicy;
  clock?: Clock;
  WebSocket?: WebSocketConstructor;
  transport?: TransportFactory;
  network?: NetworkSource | null;
  /** HTTP proxy (`http://host:port`) used after setCloudProxy(1); see the Agora engine's `proxy`. */
  proxy?: string;
  proxyTransport?: ProxyTransportFactory;
  /** Audio and video: the WebRTC implementation, devices and ICE servers (browser defaults). */
  media?: MediaOptions;
}

export interface NERtcCreateContext {
  /** The app id on the Holdfast server (NERTC calls it the app key). */
  appKey: string;
  /** `ws://host:port` of a Holdfast server, or several to move through on failure. */
  serverUrl: string | string[];
  channelEventCallback: NERtcChannelEventCallback;
  options?: NERtcOptions;
}

export interface NERtcJoinChannelOptions {
  /**
   * NERTC's permission key. Holdfast has one credential, an AccessToken2 whose join privilege has
   * an expiry; when given, this is sent in place of `token`.
   */
  permissionKey?: string;
}

/**
 * The engine, NERTC method shapes (Flutter `NERtcEngine`). Methods return 0 or an NERtcErrorCode:
 * 30001 repeated join (as the Flutter joinChannel documents), 30003 bad argument, 30005 wrong
 * state or not created, 30101 not in a room, 30102 left already, 30106 bad uid.
 */
export interface NERtcEngine {
  create(context: NERtcCreateContext): number;
  joinChannel(
    token: string | null,
    channelName: string,
    uid: number,
    options?: NERtcJoinChannelOptions,
  ): number;
  leaveChannel(): number;
  getConnectionState(): NERtcConnectionState;
  /** 0 broadcaster, 1 audience. Outside a room it applies to the next join; in a room onClientRoleChange follows. */
  setClientRole(role: NERtcClientRole): number;
  /** 0 communication (default), 1 live broadcasting. Outside a room only. */
  setChannelProfile(profile: NERtcChannelProfile): number;
  /** Renews the join privilege in place (no state change). */
  updatePermissionKey(key: string): number;
  /**
   * NERTC numbers its cloud proxy 1 (`UDP_PROXY`), its only "on" value. Holdfast runs over TCP and
   * has one proxy kind, so 1 turns the configured HTTP proxy on and 0 off; see the Agora engine.
   */
  setCloudProxy(proxyType: number): number;
  /** NERTC 5.x data channel: only in a room (30101 otherwise); remote members get onUserDataStart/Stop. */
  enableLocalData(enabled: boolean): number;
  /** Remote data is subscribed by default (as the subscribeRemoteData doc says). */
  subscribeRemoteData(uid: number, subscribe: boolean): number;
  /** Sends one message (1..1,024 bytes) to every other member; see NERtcDataChannel for the codes. */
  sendData(frame: { data: Uint8Array; dataSize: number }): number;
  /** Microphone capture and sending (on by default after joining; persists after leaving). */
  enableLocalAudio(enabled: boolean): number;
  /** Camera capture and sending (off by default). Remote members get onUserVideoStart/Stop. */
  enableLocalVideo(enabled: boolean): number;
  /** Stops/resumes sending the microphone; remote members get onUserAudioMute. Reset on leaving. */
  muteLocalAudioStream(mute: boolean): number;
  /** Stops/resumes sending the camera; remote members get onUserVideoMute. Reset on leaving. */
  muteLocalVideoStream(mute: boolean): number;
  /**
   * Receives (or stops receiving) `uid`'s video: not subscribed by default. In a room only (30101).
   * `streamType` (high/low) is accepted and has no effect: Holdfast forwards one stream per member.
   */
  subscribeRemoteVideoStream(uid: number, streamType: number, subscribe: boolean): number;
  /** Remote audio is subscribed by default; false stops receiving `uid`'s audio. In a room only (30101). */
  subscribeRemoteAudio(uid: number, subscribe: boolean): number;
  /** Starts the camera outside a room too (a preview). */
  startVideoPreview(): number;
  stopVideoPreview(): number;
  /** Draws the local camera in `view` (an HTML element the SDK puts a `<video>` in; null unbinds). */
  setupLocalVideoCanvas(view: HTMLElement | null): number;
  /** Draws `uid`'s video in `view` (null unbinds); subscribe to it with subscribeRemoteVideoStream. */
  setupRemoteVideoCanvas(view: HTMLElement | null, uid: number): number;
  release(): void;
}
