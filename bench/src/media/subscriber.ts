import { createRequire } from 'node:module';
import { now } from '../stats.js';
import { HoldfastWs } from './holdfast-ws.js';
import { JanusSession } from './janus-ws.js';
import { loopbackOnly } from './sdp.js';

/** `@roamhq/wrtc`: libwebrtc for Node (a CommonJS package; its types describe the DOM's). */
const require = createRequire(import.meta.url);
const wrtc = require('@roamhq/wrtc') as typeof import('@roamhq/wrtc');
const { RTCPeerConnection } = wrtc;
const { RTCVideoSink } = wrtc.nonstandard;

export type MediaSystemId = 'holdfast' | 'janus';

/** Where a subscriber gets the publisher's media: a Holdfast channel, or a Janus VideoRoom feed. */
export interface SubTarget {
  system: MediaSystemId;
  url: string;
  /** Holdfast channel name. */
  channel: string;
  /** Janus room and the publisher's feed id. */
  room: number;
  feed: number;
}

/** Inbound RTP totals of one subscriber connection (getStats `inbound-rtp`). */
export interface InboundTotals {
  at: number;
  videoPackets: number;
  videoLost: number;
  videoBytes: number;
  framesDecoded: number;
  keyFramesDecoded: number;
  audioPackets: number;
  audioLost: number;
  nacks: number;
  plis: number;
}

const zero = (at: number): InboundTotals => ({
  at,
  videoPackets: 0,
  videoLost: 0,
  videoBytes: 0,
  framesDecoded: 0,
  keyFramesDecoded: 0,
  audioPackets: 0,
  audioLost: 0,
  nacks: 0,
  plis: 0,
});

function gathered(pc: RTCPeerConnection, ms = 3000): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

/**
 * One `@roamhq/wrtc` subscriber of the publisher's audio and video, through either system's
 * signalling. Times: `subscribeSentAt` (its subscribe request left: Holdfast `media_subscribe`,
 * Janus `join` as subscriber), `firstFrameAt` (the first decoded video frame reached a sink).
 */
export class MediaSubscriber {
  readonly pc: RTCPeerConnection;
  subscribeSentAt = 0;
  answeredAt = 0;
  /** ICE connected (with DTLS on top, media can flow from here). */
  connectedAt = 0;
  firstFrameAt = 0;
  /** The first frame after {@link arm} (recovery), 0 until then. */
  armedFrameAt = 0;
  #armedAt = 0;
  readonly #videoTracks: MediaStreamTrack[] = [];
  #firstFrame: (() => void) | undefined;
  #closers: Array<() => void> = [];
  last: InboundTotals = zero(0);

  constructor(
    readonly uid: number,
    readonly target: SubTarget,
  ) {
    this.pc = new RTCPeerConnection({ iceServers: [] });
    this.pc.addEventListener('iceconnectionstatechange', () => {
      const s = this.pc.iceConnectionState;
      if (!this.connectedAt && (s === 'connected' || s === 'completed')) this.connectedAt = now();
    });
    this.pc.addEventListener('track', (ev) => {
      const track = (ev as RTCTrackEvent).track;
      if (track.kind !== 'video') return;
      this.#videoTracks.push(track);
      this.#sinkOnce(track, (at) => {
        if (!this.firstFrameAt) {
          this.firstFrameAt = at;
          this.#firstFrame?.();
        }
      });
    });
  }

  /** Calls `then` with the time of the next decoded frame of `track`, then detaches. */
  #sinkOnce(track: MediaStreamTrack, then: (at: number) => void): void {
    const sink = new RTCVideoSink(track);
    sink.onframe = () => {
      const at = now();
      sink.stop();
      then(at);
    };
    this.#closers.push(() => sink.stop());
  }

  async #answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: loopbackOnly(offerSdp) });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await gathered(this.pc);
    return loopbackOnly(this.pc.localDescription?.sdp ?? '');
  }

  /** Signs in and subscribes; resolves once the answer is sent (not when media flows). */
  async open(): Promise<void> {
    const t = this.target;
    if (t.system === 'holdfast') {
      const c = await HoldfastWs.join(t.url, { channel: t.channel, uid: this.uid, role: 'audience' });
      this.#closers.push(() => c.close());
      const answered = new Promise<void>((resolve, reject) => {
        c.on('media_offer', (f) => {
          this.#answer(f.sdp as string).then((sdp) => {
            c.send({ type: 'media_answer', version: f.version, sdp });
            this.answeredAt ||= now();
            resolve();
          }, reject);
        });
        c.on('media_error', (f) => reject(new Error(`media_error ${f.code}: ${f.message}`)));
      });
      this.subscribeSentAt = now();
      c.send({ type: 'media_subscribe', audio: true, video: true });
      await answered;
      return;
    }
    const s = await JanusSession.open(t.url);
    this.#closers.push(() => s.close());
    const handle = await s.attach();
    this.subscribeSentAt = now();
    const { jsep } = await s.message(handle, {
      request: 'join',
      room: t.room,
      ptype: 'subscriber',
      streams: [{ feed: t.feed }],
    });
    if (!jsep) throw new Error('janus: no offer for the subscriber');
    const sdp = await this.#answer(jsep.sdp);
    await s.message(handle, { request: 'start' }, { type: 'answer', sdp, trickle: false });
    this.answeredAt = now();
  }

  /** Resolves with the first decoded frame's time (rejects after `ms`). */
  firstFrame(ms: number): Promise<number> {
    if (this.firstFrameAt) return Promise.resolve(this.firstFrameAt);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`uid ${this.uid}: no frame within ${ms} ms`)), ms);
      this.#firstFrame = () => {
        clearTimeout(timer);
        resolve(this.firstFrameAt);
      };
    });
  }

  /** Recovery: from now on, the time of the next decoded frame goes to `armedFrameAt`. */
  arm(): void {
    this.#armedAt = now();
    this.armedFrameAt = 0;
    for (const track of this.#videoTracks)
      this.#sinkOnce(track, (at) => {
        if (!this.armedFrameAt && at >= this.#armedAt) this.armedFrameAt = at;
      });
  }

  async totals(): Promise<InboundTotals> {
    const out = zero(now());
    const report = await this.pc.getStats();
    report.forEach((r: Record<string, unknown>) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video' || r.mediaType === 'video') {
        out.videoPackets += Number(r.packetsReceived ?? 0);
        out.videoLost += Number(r.packetsLost ?? 0);
        out.videoBytes += Number(r.bytesReceived ?? 0);
        out.framesDecoded += Number(r.framesDecoded ?? 0);
        out.keyFramesDecoded += Number(r.keyFramesDecoded ?? 0);
        out.nacks += Number(r.nackCount ?? 0);
        out.plis += Number(r.pliCount ?? 0);
      } else {
        out.audioPackets += Number(r.packetsReceived ?? 0);
        out.audioLost += Number(r.packetsLost ?? 0);
      }
    });
    return out;
  }

  close(): void {
    for (const c of this.#closers) {
      try {
        c();
      } catch {
        // already closed
      }
    }
    this.#closers = [];
    this.pc.close();
  }
}
