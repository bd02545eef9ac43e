import type { Clock } from '@holdfast/protocol';

/**
 * The slice of a WebRTC implementation the media layer uses. The browser's RTCPeerConnection,
 * `@roamhq/wrtc`'s (Node) and the test fake all fit it; nothing else in the SDK names WebRTC
 * globals, so a Node app passes its implementation through the engine's `media` option.
 */

/** A media track: the browser's MediaStreamTrack, wrtc's, or a fake. */
export interface TrackLike {
  readonly id: string;
  readonly kind: string;
  readonly readyState?: string;
  enabled: boolean;
  stop(): void;
  getSettings?(): { width?: number; height?: number };
}

export interface SenderLike {
  readonly track: TrackLike | null;
  replaceTrack(track: TrackLike | null): Promise<void>;
}

export interface TransceiverLike {
  readonly mid: string | null;
  readonly sender: SenderLike;
  readonly receiver: { readonly track: TrackLike };
}

/** One stats entry (RTCStats): `type` and `id` plus the type's fields. */
export type StatLike = { readonly type: string; readonly id: string } & Readonly<Record<string, unknown>>;

/** An RTCStatsReport, as far as it is read: every entry, once. */
export interface StatsReportLike {
  forEach(fn: (stat: StatLike) => void): void;
}

export interface SessionDescriptionLike {
  type: 'offer' | 'answer' | 'rollback' | 'pranswer';
  sdp?: string;
}

export type PeerEvent = 'icegatheringstatechange' | 'connectionstatechange' | 'track';

export interface PeerLike {
  readonly localDescription: { readonly type: string; readonly sdp: string } | null;
  readonly iceGatheringState: string;
  readonly connectionState: string;
  readonly signalingState: string;
  addTransceiver(kind: 'audio' | 'video', init: { direction: 'sendonly' | 'recvonly' }): TransceiverLike;
  getTransceivers(): TransceiverLike[];
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  getStats(): Promise<StatsReportLike>;
  addEventListener(type: PeerEvent, listener: () => void): void;
  removeEventListener(type: PeerEvent, listener: () => void): void;
  close(): void;
}

/** What `new RTCPeerConnection(config)` needs to be: the browser's, `@roamhq/wrtc`'s, a fake. */
export type PeerConstructor = new (config: {
  iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
  bundlePolicy?: 'max-bundle';
}) => PeerLike;

/** The global RTCPeerConnection when there is one (browsers), else undefined (Node without wrtc). */
export function resolvePeerConstructor(explicit?: PeerConstructor): PeerConstructor | undefined {
  return explicit ?? (globalThis as { RTCPeerConnection?: PeerConstructor }).RTCPeerConnection;
}

/**
 * Resolves once the connection's ICE gathering is complete (its SDP then carries every
 * candidate: Holdfast signalling has no trickle ICE), or after `timeoutMs` with what there is.
 *
 * `restarted`: the local description is an ICE restart offer. Chromium still says `complete`
 * right after setting one, with no candidate in it; gathering for the new credentials starts a
 * moment later. So it waits for a candidate in the SDP or a new `gathering` → `complete`. (A
 * restart offer sent without candidates left werift's sending side silent: ICE "connected", no RTP.)
 */
export function gatheringComplete(
  pc: PeerLike,
  clock: Clock,
  timeoutMs = 3000,
  restarted = false,
): Promise<void> {
  let regathered = false;
  const ready = () =>
    pc.iceGatheringState === 'complete' &&
    (!restarted || regathered || /\na=candidate:/.test(pc.localDescription?.sdp ?? ''));
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clock.clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'gathering') regathered = true;
      if (ready()) done();
    };
    const timer = clock.setTimeout(done, timeoutMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}
