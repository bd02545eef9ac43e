import type {
  MediaKind,
  MediaStateEvent,
  MediaSubscribeFrame,
  MediaTrackInfo,
  ServerMediaFrame,
  TrackState,
} from '@holdfast/protocol';
import {
  type MediaStreamTrack,
  type PeerConfig,
  PictureLossIndication,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtcpPayloadSpecificFeedback,
  type RtpPacket,
} from 'werift';
import { asVideoCodec, type VideoCodec, videoCodec } from './config.js';
import { isForwardableH264, isH264KeyframeStart } from './h264.js';
import { KeyframeGate } from './keyframe-gate.js';
import { KeyframePacer } from './keyframe-pacer.js';
import { KeyframeThrottle } from './keyframe-throttle.js';
import { localSdp, Serial } from './peer.js';
import { key, type Member, type Subscriber, type SubTrack } from './room-types.js';
import { RtpWatchdog } from './rtp-watchdog.js';
import { emptyMedia, fillRejected, keepCodecs, type SdpCodec } from './sdp-codecs.js';
import { isVp8KeyframeStart } from './vp8.js';

/** What the room needs of the node: time, a way to reach a member, and the channel's event log. */
export interface RoomPorts {
  now(): number;
  /** The server's clock's timers (the echo test's delay line). */
  later(fn: () => void, ms: number): void;
  /** Sends a media frame to the member's attached connection (dropped while it has none). */
  send(uid: number, frame: ServerMediaFrame): void;
  /** Publishes a member's media state to the whole channel (through the engine, in order). */
  publishState(event: MediaStateEvent): void;
  warn(msg: string, err?: unknown): void;
}

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

  constructor(
    /** A fresh configuration per connection (werift keeps state in the object it is given). */
    private readonly config: () => Partial<PeerConfig>,
    private readonly ports: RoomPorts,
  ) {}

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
    this.#renegotiateAll(m.uid);
    if (m.prefs?.echo) this.#renegotiate(m);
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

  /** Asks for the first keyframe of every new video track of `uid`'s subscriber connection that can carry it now. */
  #startVideo(uid: number): void {
    const sub = this.#members.get(uid)?.sub;
    if (!sub) return;
    for (const st of sub.tracks.values())
      if (st.live && st.gate && sendable(st) && st.gate.ready(this.ports.now()))
        this.requestKeyframe(st.uid, `${uid}`, true);
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
    this.#renegotiate(m);
  }

  /** The member's signalling came back: an offer it may have missed meanwhile is sent again. */
  resumed(uid: number): void {
    const sub = this.#members.get(uid)?.sub;
    if (sub?.awaiting && sub.lastOffer) this.ports.send(uid, sub.lastOffer);
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

  /**
   * The client repairs its subscriber connection with an offer of its own (an ICE restart): the
   * server answers it, and asks for keyframes of every video track once the answer is set.
   * Refused (`busy`) while a server offer is unanswered.
   */
  async subOffer(uid: number, sdp: string): Promise<string | 'busy'> {
    const m = this.#members.get(uid);
    const sub = m?.sub;
    if (!m || !sub) return 'busy';
    if (sub.awaiting || sub.busy) return 'busy';
    sub.busy = true;
    try {
      return await sub.serial.run(async () => {
        // Each track keeps its publisher's codec: the client's offer lists every codec it decodes.
        const codecOf = new Map<string, VideoCodec>();
        for (const st of sub.tracks.values())
          if (st.codec && st.transceiver.mid) codecOf.set(st.transceiver.mid, st.codec);
        const offer = keepCodecs(sdp, (c) => {
          const want = c.mid === undefined ? undefined : codecOf.get(c.mid);
          return want === undefined || (c.mimeType === want && forwardable(c));
        });
        await sub.pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await sub.pc.setLocalDescription(await sub.pc.createAnswer());
        const answer = await localSdp(sub.pc);
        for (const st of sub.tracks.values())
          if (st.kind === 'video') this.requestKeyframe(st.uid, `${uid}`, true);
        return answer;
      });
    } finally {
      sub.busy = false;
      if (sub.dirty && this.#members.get(uid) === m) this.#renegotiate(m);
    }
  }

  #newSubscriber(uid: number): Subscriber {
    const pc = new RTCPeerConnection(this.config());
    // The first keyframes are asked for when the connection can carry them (werift's sender drops
    // everything before its DTLS is up); the gates ask again on packets if none comes.
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && this.#members.get(uid)?.sub?.pc === pc) this.#startVideo(uid);
    });
    return {
      pc,
      version: 0,
      awaiting: 0,
      busy: false,
      dirty: false,
      tracks: new Map(),
      carries: new Map(),
      serial: new Serial(),
    };
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
  async answer(uid: number, version: number, sdp: string): Promise<void> {
    const sub = this.#members.get(uid)?.sub;
    if (!sub || version !== sub.awaiting) return;
    await sub.serial.run(async () => {
      // An m-section the subscriber cannot decode (H.264 in a browser without it) is rejected; werift
      // would refuse the whole answer, so it is given back the offered format and left unfed.
      const { sdp: accepted, rejected } = fillRejected(sdp, (mid) => {
        const c = sub.pc.getTransceivers().find((t) => t.mid === mid)?.codecs[0];
        if (!c) return undefined;
        const name = `${c.mimeType.split('/')[1]}/${c.clockRate}${c.channels ? `/${c.channels}` : ''}`;
        return { payloadType: c.payloadType, rtpmap: name };
      });
      await sub.pc.setRemoteDescription({ type: 'answer', sdp: accepted });
      sub.awaiting = 0;
      for (const st of sub.tracks.values()) {
        st.live = !rejected.includes(st.transceiver.mid ?? '');
        if (!st.live)
          this.ports.warn(
            `${uid} cannot receive ${st.uid}'s ${st.kind} (${st.codec ?? 'its codec'}): rejected`,
          );
      }
      // New video tracks on a connection already up (a renegotiation) can be started now; on a new
      // connection this waits for it to connect.
      this.#startVideo(uid);
    });
    if (sub.dirty) this.#renegotiate(this.#members.get(uid)!);
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
    this.#renegotiateAll(uid);
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
    this.#renegotiateAll(uid);
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

  /** The tracks `m` should receive: every other member's published track it has not opted out of. */
  #desired(m: Member): Array<{ uid: number; kind: MediaKind }> {
    const prefs = m.prefs;
    if (!prefs) return [];
    const out: Array<{ uid: number; kind: MediaKind }> = [];
    for (const other of this.#members.values()) {
      // Others' tracks; and in an echo test, the member's own.
      if ((other.uid === m.uid && !prefs.echo) || !other.pub) continue;
      for (const kind of other.pub.tracks.keys()) {
        const byDefault = kind === 'audio' ? prefs.audio : prefs.video;
        const wanted = prefs.wanted?.some((w) => w.uid === other.uid && w.kind === kind) ?? false;
        if (byDefault || wanted) out.push({ uid: other.uid, kind });
      }
    }
    return out;
  }

  #renegotiateAll(except: number): void {
    for (const m of this.#members.values()) if (m.uid !== except && m.prefs) this.#renegotiate(m);
  }

  #renegotiate(m: Member): void {
    const desired = this.#desired(m);
    if (!m.sub) {
      if (desired.length === 0) return;
      m.sub = this.#newSubscriber(m.uid);
    }
    const sub = m.sub;
    // Pauses take effect at once; the track set changes through a new offer.
    for (const st of sub.tracks.values())
      st.paused = m.prefs?.paused?.some((p) => p.uid === st.uid && p.kind === st.kind) ?? false;
    if (sub.busy || sub.awaiting) {
      sub.dirty = true;
      return;
    }
    sub.dirty = false;
    sub.busy = true;
    void sub.serial
      .run(() => this.#offer(m, sub, this.#desired(m)))
      .catch((err: unknown) => this.ports.warn('subscriber offer failed', err))
      .finally(() => {
        sub.busy = false;
        // Something changed while the offer was made, and no answer is awaited: offer again.
        if (sub.dirty && !sub.awaiting && this.#members.get(m.uid) === m) this.#renegotiate(m);
      });
  }

  #addTransceiver(
    subscriber: number,
    sub: Subscriber,
    kind: MediaKind,
    codec?: VideoCodec,
  ): RTCRtpTransceiver {
    const transceiver = sub.pc.addTransceiver(kind, { direction: 'sendonly' });
    // Offered in its publisher's codec alone: werift sends every packet of a track with the payload
    // type of the track's first negotiated codec, and leaves a transceiver's codecs set before the
    // offer as they are (createOffer assigns the configured ones only to a transceiver with none).
    if (codec) transceiver.codecs = [videoCodec(codec)];
    // A subscriber's PLI (lost or broken frames on its side) goes to the publisher it carries now.
    transceiver.sender.onRtcp.subscribe((rtcp) => {
      const publisher = sub.carries.get(transceiver);
      if (
        publisher !== undefined &&
        rtcp instanceof RtcpPayloadSpecificFeedback &&
        rtcp.feedback instanceof PictureLossIndication
      )
        this.requestKeyframe(publisher, `${subscriber}`);
    });
    return transceiver;
  }

  async #offer(m: Member, sub: Subscriber, desired: Array<{ uid: number; kind: MediaKind }>): Promise<void> {
    const want = new Set(desired.map((d) => key(d.uid, d.kind)));
    let changed = false;
    for (const [k, st] of sub.tracks)
      if (!want.has(k)) {
        // Left as it is, idle (nothing is forwarded into it). Not 'inactive': werift then offers it
        // with port 0 but keeps it in the BUNDLE group, and Chromium refuses the whole offer when it
        // is the first m-section. Not reused either: a new source behind the same SSRC was not
        // decoded by Chromium in a trial (werift keeps the sequence offset across sources).
        sub.tracks.delete(k);
        sub.carries.delete(st.transceiver);
        changed = true;
      }
    for (const d of desired) {
      const k = key(d.uid, d.kind);
      if (sub.tracks.has(k)) continue;
      const codec = this.#members.get(d.uid)?.pub?.tracks.get(d.kind)?.codec;
      const transceiver = this.#addTransceiver(m.uid, sub, d.kind, codec);
      sub.carries.set(transceiver, d.uid);
      const st: SubTrack = { uid: d.uid, kind: d.kind, transceiver, live: false, paused: false };
      if (codec) {
        st.codec = codec;
        st.gate = new KeyframeGate();
      }
      st.paused = m.prefs?.paused?.some((p) => p.uid === d.uid && p.kind === d.kind) ?? false;
      sub.tracks.set(k, st);
      changed = true;
    }
    if (!changed && sub.version > 0) return;
    await sub.pc.setLocalDescription(await sub.pc.createOffer());
    const sdp = await localSdp(sub.pc);
    sub.version++;
    sub.awaiting = sub.version;
    const tracks: MediaTrackInfo[] = [];
    for (const st of sub.tracks.values())
      if (st.transceiver.mid !== null && st.transceiver.mid !== undefined)
        tracks.push({
          mid: st.transceiver.mid,
          uid: st.uid,
          kind: st.kind,
          state: this.#members.get(st.uid)?.state[st.kind] ?? 'off',
        });
    sub.lastOffer = { type: 'media_offer', version: sub.version, sdp, tracks };
    this.ports.send(m.uid, sub.lastOffer);
  }

  /** Closes every connection (the node is shutting down). */
  close(): void {
    for (const uid of [...this.#members.keys()]) this.leave(uid);
  }
}

/** A format the SFU forwards: any but the H.264 ones other than packetization-mode 1 Constrained Baseline. */
function forwardable(c: SdpCodec): boolean {
  return c.mimeType !== 'video/h264' || isForwardableH264(c.fmtp);
}

/**
 * How a video codec's keyframe starts are recognised (undefined: another codec, whose tracks are
 * not gated — the gate could not see their keyframes and would hold their video for its whole
 * give-up time).
 */
function keyframeTest(codec: VideoCodec | undefined): ((payload: Uint8Array) => boolean) | undefined {
  if (codec === 'video/vp8') return isVp8KeyframeStart;
  if (codec === 'video/h264') return isH264KeyframeStart;
  return undefined;
}

/** Whether werift's sender of a subscriber track can send (its DTLS is connected; before, it drops every packet). */
function sendable(st: SubTrack): boolean {
  return st.transceiver.sender.dtlsTransport?.state === 'connected';
}
