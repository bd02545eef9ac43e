import { type PeerConfig, RTCRtpCodecParameters } from 'werift';

/** How the embedded SFU reaches clients (server options and `holdfast serve` flags). */
export interface MediaOptions {
  /** false: no media plane (signalling and data streams only). Default true. */
  enabled?: boolean;
  /**
   * Addresses announced as host candidates. Default: 127.0.0.1 plus the machine's own addresses
   * (werift's discovery); behind NAT, the public address here.
   */
  announcedIps?: string[];
  /** UDP ports for media, [min, max] (default: any free port). */
  portRange?: [number, number];
  /** STUN/TURN servers for the server's own candidates. Default none (never a public STUN server). */
  iceServers?: Array<{ urls: string; username?: string; credential?: string }>;
  /** Also offer ICE over TCP (werift's iceUseTcp), for networks that block UDP. Default false. */
  tcp?: boolean;
}

const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

/** The video codecs a publisher may send (and a subscriber track is offered in: its publisher's). */
export type VideoCodec = 'video/vp8' | 'video/h264';

/** The server's format of a video codec, as offered to subscribers (payload types 96 and 102). */
export function videoCodec(mimeType: VideoCodec): RTCRtpCodecParameters {
  return mimeType === 'video/h264'
    ? new RTCRtpCodecParameters({
        mimeType: 'video/H264',
        clockRate: 90000,
        payloadType: 102,
        rtcpFeedback: FEEDBACK,
        parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      })
    : new RTCRtpCodecParameters({
        mimeType: 'video/VP8',
        clockRate: 90000,
        payloadType: 96,
        rtcpFeedback: FEEDBACK,
      });
}

/** A negotiated codec's MIME type as a `VideoCodec`, or undefined for any other. */
export function asVideoCodec(mimeType: string | undefined): VideoCodec | undefined {
  const m = mimeType?.toLowerCase();
  return m === 'video/vp8' || m === 'video/h264' ? m : undefined;
}

/**
 * Opus, and VP8 or H.264 with NACK, PLI and REMB: what Chromium publishes and every browser
 * decodes. A publisher's offer order decides which video codec it sends (VP8 first unless it
 * prefers H.264); its H.264 formats other than packetization-mode 1 Constrained Baseline are
 * removed from its offer first (room.ts, h264.ts). Each subscriber track is offered in its
 * publisher's codec alone (werift stamps forwarded packets with the payload type of the track's
 * first negotiated codec). No transport-wide-cc header extension (below): werift's transport-cc
 * feedback holds Chromium's estimate at its 300 kbit/s start (BENCHMARKS.md "Receiver feedback");
 * without it the publisher's estimate follows werift's receiver reports (loss-based) and its video
 * reaches what it is capped at.
 */
const codecs = (): PeerConfig['codecs'] => ({
  audio: [
    new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 }),
  ],
  video: [videoCodec('video/vp8'), videoCodec('video/h264')],
});

/** werift's peer configuration for one client's publisher or subscriber connection. */
export function peerConfig(o: MediaOptions): Partial<PeerConfig> {
  const announced = o.announcedIps ?? ['127.0.0.1'];
  return {
    codecs: codecs(),
    headerExtensions: { audio: [], video: [] },
    iceServers: o.iceServers ?? [],
    iceAdditionalHostAddresses: announced,
    iceUseIpv6: false,
    iceUseTcp: o.tcp ?? false,
    ...(o.portRange ? { icePortRange: o.portRange } : {}),
    bundlePolicy: 'max-bundle',
  };
}
