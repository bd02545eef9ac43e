import type { MediaKind, MediaTrackInfo } from '@holdfast/protocol';
import {
  type PeerConfig,
  PictureLossIndication,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  RtcpPayloadSpecificFeedback,
} from 'werift';
import { type VideoCodec, videoCodec } from './config.js';
import { KeyframeGate } from './keyframe-gate.js';
import { localSdp, Serial } from './peer.js';
import { forwardable, sendable } from './room-forwarding.js';
import { key, type Member, type RoomPorts, type Subscriber, type SubTrack } from './room-types.js';
import { fillRejected, keepCodecs } from './sdp-codecs.js';

/**
 * A room's subscriber connections: which remote tracks each member receives, the server's offers
 * (one negotiation at a time per member, again when what it should receive changed meanwhile), the
 * member's answers, and its own offers when it repairs the connection. The members are the room's
 * (room.ts); keyframe requests go through the room, which paces them per publisher.
 */
export class SubscriberNegotiation {
  readonly #members: ReadonlyMap<number, Member>;
  readonly #requestKeyframe: (publisher: number, requester: string, force?: boolean) => void;

  constructor(
    members: ReadonlyMap<number, Member>,
    /** A fresh configuration per connection (werift keeps state in the object it is given). */
    private readonly config: () => Partial<PeerConfig>,
    private readonly ports: RoomPorts,
    requestKeyframe: (publisher: number, requester: string, force?: boolean) => void,
  ) {
    this.#members = members;
    this.#requestKeyframe = requestKeyframe;
  }

  /** The member's signalling came back: an offer it may have missed meanwhile is sent again. */
  resumed(uid: number): void {
    const sub = this.#members.get(uid)?.sub;
    if (sub?.awaiting && sub.lastOffer) this.ports.send(uid, sub.lastOffer);
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
          if (st.kind === 'video') this.#requestKeyframe(st.uid, `${uid}`, true);
        return answer;
      });
    } finally {
      sub.busy = false;
      if (sub.dirty && this.#members.get(uid) === m) this.renegotiate(m);
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
    if (sub.dirty) this.renegotiate(this.#members.get(uid)!);
  }

  /** Asks for the first keyframe of every new video track of `uid`'s subscriber connection that can carry it now. */
  #startVideo(uid: number): void {
    const sub = this.#members.get(uid)?.sub;
    if (!sub) return;
    for (const st of sub.tracks.values())
      if (st.live && st.gate && sendable(st) && st.gate.ready(this.ports.now()))
        this.#requestKeyframe(st.uid, `${uid}`, true);
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

  renegotiateAll(except: number): void {
    for (const m of this.#members.values()) if (m.uid !== except && m.prefs) this.renegotiate(m);
  }

  renegotiate(m: Member): void {
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
        if (sub.dirty && !sub.awaiting && this.#members.get(m.uid) === m) this.renegotiate(m);
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
        this.#requestKeyframe(publisher, `${subscriber}`);
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
}
