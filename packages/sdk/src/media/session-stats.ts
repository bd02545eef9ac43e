import type { Clock, MediaKind, TrackState } from '@holdfast/protocol';
import type { InboundPackets } from './liveness.js';
import type { PeerLike, StatsReportLike } from './peer.js';
import { frozenStats, type RemoteEvent, type RemoteState } from './remote-state.js';
import {
  type InboundFigures,
  type InboundSample,
  inboundFigures,
  type PeerSample,
  quality,
  readStats,
  type TransportFigures,
  transportFigures,
} from './stats.js';
import type { ReceivedTrack, SubscriberTransport } from './subscriber.js';

/** One remote track's figures over the last window, with its frozen time. */
export interface RemoteFigures extends InboundFigures {
  uid: number;
  totalFrozenTime: number;
  frozenRate: number;
}

/** Every figure of one stats window; each profile maps it to its callbacks. */
export interface MediaReport {
  transport: TransportFigures;
  /** 0 unknown … 6 down (Agora QualityType, NERTC network status). */
  txQuality: number;
  rxQuality: number;
  remote: RemoteFigures[];
}

type Subscriber = Pick<SubscriberTransport, 'received' | 'byMid'> & { readonly peer: PeerLike | undefined };

/** Which remote track an inbound-rtp entry is: by mid, else by the receiver track's id. */
function match(i: InboundSample, sub: Subscriber): ReceivedTrack | undefined {
  return (
    (i.mid !== undefined ? sub.byMid(i.mid) : undefined) ??
    sub.received.find((r) => r.track.id === i.trackIdentifier)
  );
}

/**
 * The stats side of a media session: counter samples for the remote-state machine (video
 * framesDecoded, audio packetsReceived), the 2-second report (deltas against the previous
 * window), and audio levels. Keeps only the previous samples.
 */
export class MediaStats {
  #prevPub: PeerSample | undefined;
  #prevSub: PeerSample | undefined;
  #prevInbound = new Map<string, InboundSample>();

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.#prevPub = this.#prevSub = undefined;
    this.#prevInbound.clear();
  }

  /** A stats report read as it is now. */
  read(report: StatsReportLike): PeerSample {
    return readStats(report, this.clock.now());
  }

  /**
   * The subscriber connection's inbound streams: counter samples for the remote-state machine,
   * and the packets received per stream (the media connection machine's liveness).
   */
  inbound(report: StatsReportLike, sub: Subscriber): { events: RemoteEvent[]; streams: InboundPackets[] } {
    const events: RemoteEvent[] = [];
    const streams: InboundPackets[] = [];
    for (const i of readStats(report, this.clock.now()).inbound) {
      const r = match(i, sub);
      if (!r || r.kind !== i.kind) continue;
      streams.push({ key: i.key, uid: r.uid, kind: r.kind, packets: i.packets });
      events.push({
        type: 'sample',
        uid: r.uid,
        kind: r.kind,
        count: r.kind === 'video' ? i.framesDecoded : i.packets,
        width: i.width,
        height: i.height,
      });
    }
    return { events, streams };
  }

  async report(
    pubPc: PeerLike | undefined,
    sub: Subscriber | undefined,
    remote: RemoteState,
    ctx: { sending: Record<MediaKind, TrackState> | undefined },
  ): Promise<MediaReport | undefined> {
    const [pubReport, subReport] = await Promise.all([pubPc?.getStats(), sub?.peer?.getStats()]);
    const now = this.clock.now();
    const pub = pubReport ? readStats(pubReport, now) : undefined;
    const subS = subReport ? readStats(subReport, now) : undefined;
    const transport = transportFigures({ prev: this.#prevPub, cur: pub }, { prev: this.#prevSub, cur: subS });
    const ms = subS && this.#prevSub ? subS.at - this.#prevSub.at : 0;
    const figures: RemoteFigures[] = [];
    const seen = new Map<string, InboundSample>();
    for (const i of subS?.inbound ?? []) {
      seen.set(i.key, i);
      const r = sub && match(i, sub);
      const track = r && remote.users.get(r.uid)?.[r.kind];
      if (!r || !track?.present) continue;
      const f = inboundFigures(this.#prevInbound.get(i.key), i, ms);
      figures.push({ ...f, uid: r.uid, ...frozenStats(track, now) });
    }
    const sending = ctx.sending && (ctx.sending.audio === 'on' || ctx.sending.video === 'on');
    const expecting = [...remote.users.values()].some(
      (u) =>
        u.audio.phase === 'decoding' ||
        u.audio.phase === 'frozen' ||
        u.video.phase === 'decoding' ||
        u.video.phase === 'frozen',
    );
    const windowed = this.#prevPub !== undefined || this.#prevSub !== undefined;
    const report: MediaReport = {
      transport,
      txQuality:
        sending && pub && windowed
          ? quality(transport.txPacketLossRate, transport.rttMs, transport.txKBitRate > 0)
          : 0,
      rxQuality:
        expecting && subS && windowed
          ? quality(transport.rxPacketLossRate, transport.rttMs, transport.rxKBitRate > 0)
          : 0,
      remote: figures,
    };
    this.#prevPub = pub;
    this.#prevSub = subS;
    this.#prevInbound = seen;
    return report;
  }

  async levels(
    pubPc: PeerLike | undefined,
    sub: Subscriber | undefined,
  ): Promise<{ local: number | undefined; remote: Array<{ uid: number; level: number }> }> {
    const [pubReport, subReport] = await Promise.all([pubPc?.getStats(), sub?.peer?.getStats()]);
    const now = this.clock.now();
    const local = pubReport ? readStats(pubReport, now).localAudioLevel : undefined;
    const remote: Array<{ uid: number; level: number }> = [];
    if (subReport && sub)
      for (const i of readStats(subReport, now).inbound) {
        const r = match(i, sub);
        if (r && i.kind === 'audio' && i.audioLevel !== undefined)
          remote.push({ uid: r.uid, level: i.audioLevel });
      }
    return { local, remote };
  }
}
