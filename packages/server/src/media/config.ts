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

/**
 * Opus and VP8 with NACK, PLI and REMB: what Chromium publishes and every browser decodes. No
 * transport-wide-cc header extension (below): werift's transport-cc feedback holds Chromium's
 * estimate at its 300 kbit/s start (BENCHMARKS.md "Receiver feedback"); without it the publisher's
 * estimate follows werift's receiver reports (loss-based) and its video reaches what it is capped at.
 */
const CODECS: PeerConfig['codecs'] = {
  audio: [
    new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: 111 }),
  ],
  video: [
    new RTCRtpCodecParameters({
      mimeType: 'video/VP8',
      clockRate: 90000,
      payloadType: 96,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
    }),
  ],
};

/** werift's peer configuration for one client's publisher or subscriber connection. */
export function peerConfig(o: MediaOptions): Partial<PeerConfig> {
  const announced = o.announcedIps ?? ['127.0.0.1'];
  return {
    codecs: CODECS,
    headerExtensions: { audio: [], video: [] },
    iceServers: o.iceServers ?? [],
    iceAdditionalHostAddresses: announced,
    iceUseIpv6: false,
    iceUseTcp: o.tcp ?? false,
    ...(o.portRange ? { icePortRange: o.portRange } : {}),
    bundlePolicy: 'max-bundle',
  };
}
