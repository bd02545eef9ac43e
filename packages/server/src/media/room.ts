import type { MediaKind, MediaSubscribeFrame, TrackState } from '@holdfast/protocol';
import { type MediaStreamTrack, type PeerConfig, RTCPeerConnection, type RtpPacket } from 'werift';
import { asVideoCodec } from './config.js';
import type { KeyframeGate } from './keyframe-gate.js';
import { KeyframePacer } from './keyframe-pacer.js';
import { KeyframeThrottle } from './keyframe-throttle.js';
import { localSdp, Serial } from './peer.js';
import { forwardable, keyframeTest, sendable } from './room-forwarding.js';
import { SubscriberNegotiation } from './room-subscribers.js';
import { key, type Member, type RoomPorts, type SubTrack } from './room-types.js';
import { RtpWatchdog } from './rtp-watchdog.js';
import { emptyMedia, keepCodecs } from './sdp-codecs.js';

export type { RoomPorts } from './room-types.js';

/**
 * One channel's media on this node: every member's publisher connection and the tracks it
 * sends, every member's subscriber connection and the remote tracks forwarded into it. RTP is
 * forwarded as it arrives (werift's sender rewrites SSRC, payload type and sequence numbers per
 * subscriber). A subscriber's new video track starts at a keyframe, asked of the publisher once
 * the subscriber's connection can carry it (KeyframeGate); a subscriber's own PLI is relayed
 * (throttled per subscriber); every request to a publisher is paced to what its encoder acts on
 * (KeyframePacer).
 */
export class MediaRoom {
  readonly #members = new Map<number, Member>();
  readonly #pli = new KeyframeThrottle(500);
  /** Per publisher: its keyframe requests, spaced so its encoder ignores none. */
  readonly #pacers = new Map<number, KeyframePacer>();
  /** Members whose media is cut (test seam): nothing forwarded from or to them. */
  readonly #blocked = new Set<number>();
  /** Every member's subscriber connection (room-subscribers.ts). */
  readonly #subs: SubscriberNegotiation;

  constructor(
    /** A fresh configuration per connection (werift keeps state in the object it is given). */
    private readonly config: () => Partial<PeerConfig>,
    private readonly ports: RoomPorts,
  ) {
    this.#subs = new SubscriberNegotiation(this.#members, config, ports, (publisher, requester, force) =>
      this.requestKeyframe(publisher, requester, force),
    );
  }

  get size(): number {
    return this.#members.size;
  }

  #member(uid: number): Member {
    let m = this.#members.get(uid);
    if (!m) {
      m = { uid, prefs: undefined, state: { audio: 'off', video: 'off' } };
      this.#members.set(uid, m);
    }
    return m;
  }

  /** A publisher offer (first or renegotiation): returns the answer SDP. */
  async publish(uid: number, sdp: string): Promise<string> {
    const m = this.#member(uid);
    if (!m.pub) {
      const pc = new RTCPeerConnection(this.config());
      m.pub = { pc, tracks: new Map(), serial: new Serial() };
      pc.onTrack.subscribe((track) => this.#onTrack(m, track));
    }
    const pub = m.pub;
    return pub.serial.run(async () => {
      // H.264 only in the format every browser sends and decodes (werift would accept any H.264).
      const offer = keepCodecs(sdp, forwardable);
      const empty = emptyMedia(offer);
      if (empty.length > 0)
        throw new Error(
          `no ${empty.join(', ')} format the server forwards (video: VP8, or H.264 packetization-mode 1 Constrained Baseline)`,
        );
      await pub.pc.setRemoteDescription({ type: 'offer', sdp: offer });
      await pub.pc.setLocalDescription(await pub.pc.createAnswer());
      return localSdp(pub.pc);
    });
  }

  #onTrack(m: Member, track: MediaStreamTrack): void {
    const kind = track.kind as MediaKind;
    const pub = m.pub;
    if (!pub || (kind !== 'audio' && kind !== 'video')) return;
    const existing = pub.tracks.get(kind);
    // werift fires onTrack again for the same track after an ICE restart: forwarding it twice would
    // send every packet twice.
    if (existing?.track === track) return;
    existing?.stop();
    const transceiver = pub.pc.getTransceivers().find((t) => t.receiver.tracks.includes(track));
    if (!transceiver) return;
    const receiver = transceiver.receiver;
    // What the publisher sends: the first codec of the answer (its offer's order, filtered).
    const codec = kind === 'video' ? asVideoCodec(transceiver.codecs[0]?.mimeType) : undefined;
    const isKeyframe = keyframeTest(codec);
    const watchdog = new RtpWatchdog();
    const { unSubscribe } = track.onReceiveRtp.subscribe((rtp) => {
      // The test seam drops a blocked member's packets as a lost network would: before anything sees them.
      if (this.#blocked.has(m.uid)) return;
      // RTP back after a gap (the publisher's path broke and healed): subscribers need a keyframe.
      if (watchdog.packet(this.ports.now()) === 'resumed' && kind === 'video') this.#keyframeForAll(m.uid);
      // Keyframes are recognised in VP8 and H.264; another codec's tracks are not gated.
      const keyframe = isKeyframe?.(rtp.payload) ?? false;
      if (keyframe) this.#pacers.get(m.uid)?.keyframe();
      this.#forward(m.uid, kind, rtp, keyframe);
    });
    pub.tracks.set(kind, {
      kind,
      track,
      receiver,
      ssrc: track.ssrc ?? 0,
      ...(codec ? { codec } : {}),
      stop: unSubscribe,
      watchdog,
    });
    if (m.state[kind] === 'off') this.setState(m.uid, { ...m.state, [kind]: 'on' });
    this.#subs.renegotiateAll(m.uid);
    if (m.prefs?.echo) this.#subs.renegotiate(m);
  }

  #forward(uid: number, kind: MediaKind, rtp: RtpPacket, keyframe: boolean): void {
    const k = key(uid, kind);
    let buf: Buffer | undefined;
    for (const other of this.#members.values()) {
      const st = other.sub?.tracks.get(k);
      if (!st?.live || st.paused || this.#blocked.has(other.uid)) continue;
      if (st.gate && !st.gate.open && !this.#pass(uid, other.uid, st, st.gate, keyframe)) continue;
      // Each subscriber gets its own packet: werift's sender rewrites the header in place.
      buf ??= rtp.serialize();
      const send = (b: Buffer) => st.transceiver.sender.sendRtp(b).catch(() => {});
      // An echo test's own tracks come back after its delay (a copy: the original is shared).
      if (other.uid === uid && other.prefs?.echo) {
        const copy = Buffer.from(buf);
        this.ports.later(() => send(copy), other.prefs.echo.delayMs);
      } else send(buf);
    }
  }

  /** A packet for a video track whose gate is shut: whether it goes (a keyframe's start, once sendable). */
  #pass(publisher: number, subscriber: number, st: SubTrack, gate: KeyframeGate, keyframe: boolean): boolean {
    const step = gate.packet(this.ports.now(), sendable(st), keyframe);
    if (step.ask) this.requestKeyframe(publisher, `${subscriber}`, true);
    if (step.gaveUp)
      this.ports.warn(`no keyframe from ${publisher} for ${subscriber}: forwarding its video anyway`);
    return step.forward;
  }

  /** The member's published state as others see it (mute, enable); told to the channel. */
  setState(uid: number, state: { audio: TrackState; video: TrackState }): void {
    const m = this.#member(uid);
    if (m.state.audio === state.audio && m.state.video === state.video) return;
    m.state = { ...state };
    this.ports.publishState({ kind: 'media', uid, ...state });
  }

  /** What every member but `except` publishes, those with anything on. */
  #states(except: number): Array<{ uid: number; audio: TrackState; video: TrackState }> {
    const out = [];
    for (const m of this.#members.values())
      if (m.uid !== except && (m.state.audio !== 'off' || m.state.video !== 'off'))
        out.push({ uid: m.uid, ...m.state });
    return out;
  }

  /** What a member wants to receive; (re)negotiates its subscriber connection. */
  subscribe(uid: number, prefs: MediaSubscribeFrame): void {
    const m = this.#member(uid);
    if (!m.prefs) this.ports.send(uid, { type: 'media_snapshot', members: this.#states(uid) });
    m.prefs = prefs;
    this.#subs.renegotiate(m);
  }

  /** The member's signalling came back: an offer it may have missed meanwhile is sent again. */
  resumed(uid: number): void {
    this.#subs.resumed(uid);
  }

  /**
   * Cuts (or restores) a member's media path at the server, as if its UDP were dropped: nothing it
   * publishes is forwarded and nothing is forwarded to it. Signalling is untouched. A test seam.
   */
  block(uid: number, blocked: boolean): void {
    if (blocked) this.#blocked.add(uid);
    else this.#blocked.delete(uid);
  }

  /** Whether a member's published track has gone quiet (no RTP for the watchdog's gap). */
  stalled(uid: number, kind: MediaKind): boolean | undefined {
    return this.#members.get(uid)?.pub?.tracks.get(kind)?.watchdog.stalled(this.ports.now());
  }

  /** The client repairs its subscriber connection with an offer of its own (see SubscriberNegotiation.subOffer). */
  subOffer(uid: number, sdp: string): Promise<string | 'busy'> {
    return this.#subs.subOffer(uid, sdp);
  }

  /** One keyframe for everyone receiving `publisher`'s video (RTP came back after a gap). */
  #keyframeForAll(publisher: number): void {
    for (const other of this.#members.values())
      if (other.sub?.tracks.get(key(publisher, 'video'))?.live) {
        // Forced: a subscriber's own PLI during the gap may hold the throttle, and its keyframe was lost.
        this.requestKeyframe(publisher, 'watchdog', true);
        return;
      }
  }

  /** The subscriber's answer to offer `version`. */
  answer(uid: number, version: number, sdp: string): Promise<void> {
    return this.#subs.answer(uid, version, sdp);
  }

  /** Stops publishing: the member's tracks leave every subscriber. */
  unpublish(uid: number): void {
    const m = this.#members.get(uid);
    if (!m?.pub) return;
    for (const p of m.pub.tracks.values()) p.stop();
    void m.pub.pc.close().catch(() => {});
    m.pub = undefined;
    this.#pacers.delete(uid);
    this.setState(uid, { audio: 'off', video: 'off' });
    this.#subs.renegotiateAll(uid);
  }

  /** The member is gone (its session ended): everything of it is closed. */
  leave(uid: number): void {
    const m = this.#members.get(uid);
    if (!m) return;
    if (m.pub) {
      for (const p of m.pub.tracks.values()) p.stop();
      void m.pub.pc.close().catch(() => {});
      m.pub = undefined;
    }
    if (m.sub) void m.sub.pc.close().catch(() => {});
    this.#members.delete(uid);
    this.#pli.forget(`${uid}`);
    this.#pacers.delete(uid);
    this.#subs.renegotiateAll(uid);
  }

  /**
   * A client's last-resort repair: its connections are closed and forgotten, as on a leave, but
   * what it publishes stays as others see it (no off/on flap while its new tracks arrive).
   */
  reset(uid: number): void {
    const state = this.#members.get(uid)?.state;
    this.leave(uid);
    if (state) this.#member(uid).state = state;
  }

  /** Asks `publisher` for a video keyframe on behalf of `requester` (throttled per requester unless `force`). */
  requestKeyframe(publisher: number, requester: string, force = false): void {
    const p = this.#members.get(publisher)?.pub?.tracks.get('video');
    if (!p) return;
    // A forced request (a subscriber's decoder starting) neither waits for nor uses the throttle's
    // slot, so the subscriber's own PLI right after it connects still goes through.
    if (!force && !this.#pli.allow(`${requester}>${publisher}`, this.ports.now())) return;
    let pacer = this.#pacers.get(publisher);
    if (!pacer) {
      pacer = new KeyframePacer();
      this.#pacers.set(publisher, pacer);
    }
    const step = pacer.request(this.ports.now());
    if (step.send) this.#sendPli(publisher);
    else if (step.inMs !== undefined) {
      const paced = pacer;
      this.ports.later(() => {
        if (this.#pacers.get(publisher) === paced && paced.due(this.ports.now())) this.#sendPli(publisher);
      }, step.inMs);
    }
  }

  #sendPli(publisher: number): void {
    const p = this.#members.get(publisher)?.pub?.tracks.get('video');
    p?.receiver.sendRtcpPLI(p.ssrc).catch(() => {});
  }

  /** Closes every connection (the node is shutting down). */
  close(): void {
    for (const uid of [...this.#members.keys()]) this.leave(uid);
  }
}
