import type { MediaKind } from '@holdfast/protocol';
import type { MediaDevicesLike } from '../media/devices.js';
import type {
  PeerConstructor,
  PeerEvent,
  PeerLike,
  SessionDescriptionLike,
  StatLike,
  StatsReportLike,
  TrackLike,
  TransceiverLike,
} from '../media/peer.js';

let nextTrack = 1;

/** A media track that is only an object: `stopped` tells whether the SDK stopped it. */
export class FakeTrack implements TrackLike {
  readonly id: string;
  enabled = true;
  stopped = false;
  constructor(
    readonly kind: MediaKind,
    private readonly size = { width: 640, height: 360 },
  ) {
    this.id = `${kind}-${nextTrack++}`;
  }
  get readyState(): string {
    return this.stopped ? 'ended' : 'live';
  }
  stop(): void {
    this.stopped = true;
  }
  getSettings(): { width?: number; height?: number } {
    return this.kind === 'video' ? this.size : {};
  }
}

class FakeTransceiver implements TransceiverLike {
  readonly receiver: { track: TrackLike };
  /** What setCodecPreferences was last given (undefined: never called). */
  codecPreferences: unknown[] | undefined;
  readonly sender: { track: TrackLike | null; replaceTrack(t: TrackLike | null): Promise<void> };
  constructor(
    public mid: string | null,
    readonly kind: MediaKind,
    readonly direction: 'sendonly' | 'recvonly',
  ) {
    this.receiver = { track: new FakeTrack(kind) };
    const sender = {
      track: null as TrackLike | null,
      replaceTrack: async (t: TrackLike | null) => {
        sender.track = t;
      },
    };
    this.sender = sender;
  }
  setCodecPreferences(codecs: unknown[]): void {
    this.codecPreferences = codecs;
  }
}

/** An SDP with one m-line per `{mid, kind}`: enough for the fake and for tests playing the server. */
export function fakeSdp(type: 'offer' | 'answer', lines: Array<{ mid: string; kind: MediaKind }>): string {
  const head = ['v=0', `o=- ${type === 'offer' ? 1 : 2} 1 IN IP4 127.0.0.1`, 's=-', 't=0 0'];
  const media = lines.flatMap((l) => [`m=${l.kind} 9 UDP/TLS/RTP/SAVPF 96`, `a=mid:${l.mid}`]);
  return `${[...head, ...media].join('\r\n')}\r\n`;
}

function parseSdp(sdp: string): Array<{ mid: string; kind: MediaKind }> {
  const out: Array<{ mid: string; kind: MediaKind }> = [];
  let kind: MediaKind | undefined;
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('m=')) kind = line.startsWith('m=audio') ? 'audio' : 'video';
    else if (line.startsWith('a=mid:') && kind) out.push({ mid: line.slice(6), kind });
  }
  return out;
}

/**
 * A peer connection with no network: offers and answers are SDP stand-ins (`fakeSdp`), ICE
 * gathering completes at setLocalDescription (or when the test says, with `holdGathering`),
 * the connection state is what the test sets, and getStats returns the counters the test sets
 * per mid (`setInbound`).
 */
export class FakePeerConnection implements PeerLike {
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  iceGatheringState = 'new';
  connectionState = 'new';
  signalingState = 'stable';
  closed = false;
  /** setLocalDescription leaves gathering at 'gathering' until `completeGathering`. */
  holdGathering = false;
  /** ICE restart offers made (createOffer({ iceRestart: true })). */
  iceRestarts = 0;
  #restarting = false;
  readonly config: unknown;
  #transceivers: FakeTransceiver[] = [];
  #listeners = new Map<PeerEvent, Set<() => void>>();
  #nextMid = 0;
  #inbound = new Map<string, Record<string, unknown>>();
  #extra: StatLike[] = [];

  constructor(config: unknown, registry?: FakePeers) {
    this.config = config;
    registry?.created.push(this);
  }

  addTransceiver(kind: MediaKind, init: { direction: 'sendonly' | 'recvonly' }): TransceiverLike {
    const t = new FakeTransceiver(null, kind, init.direction);
    this.#transceivers.push(t);
    return t;
  }
  getTransceivers(): TransceiverLike[] {
    return [...this.#transceivers];
  }
  /** The transceivers this connection sends on, with their tracks. */
  get senders(): Array<{ kind: MediaKind; mid: string | null; track: TrackLike | null }> {
    return this.#transceivers
      .filter((t) => t.direction === 'sendonly')
      .map((t) => ({ kind: t.kind, mid: t.mid, track: t.sender.track }));
  }

  async createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescriptionLike> {
    if (options?.iceRestart) {
      this.iceRestarts++;
      this.#restarting = true;
    }
    for (const t of this.#transceivers) if (t.mid === null) t.mid = String(this.#nextMid++);
    return { type: 'offer', sdp: fakeSdp('offer', this.#lines()) };
  }
  async createAnswer(): Promise<SessionDescriptionLike> {
    return { type: 'answer', sdp: fakeSdp('answer', this.#lines()) };
  }
  async setLocalDescription(d: SessionDescriptionLike): Promise<void> {
    if (d.type === 'rollback') {
      this.localDescription = null;
      this.signalingState = 'stable';
      return;
    }
    this.localDescription = { type: d.type, sdp: d.sdp ?? '' };
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
    if (this.#restarting && d.type === 'offer') {
      // As Chromium does: still 'complete' right after an ICE restart offer, gathering again a moment later.
      this.#restarting = false;
      setImmediate(() => {
        this.iceGatheringState = 'gathering';
        this.#emit('icegatheringstatechange');
        if (!this.holdGathering) this.completeGathering();
      });
    } else if (this.iceGatheringState !== 'complete') {
      this.iceGatheringState = 'gathering';
      if (!this.holdGathering) this.completeGathering();
    }
  }
  async setRemoteDescription(d: SessionDescriptionLike): Promise<void> {
    const sdp = d.sdp ?? '';
    if (d.type === 'offer')
      for (const { mid, kind } of parseSdp(sdp))
        if (!this.#transceivers.some((t) => t.mid === mid))
          this.#transceivers.push(new FakeTransceiver(mid, kind, 'recvonly'));
    this.remoteDescription = { type: d.type, sdp };
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }

  completeGathering(): void {
    this.iceGatheringState = 'complete';
    this.#emit('icegatheringstatechange');
  }
  setConnectionState(state: string): void {
    this.connectionState = state;
    this.#emit('connectionstatechange');
  }
  /** Sets the inbound-rtp counters of the receiver on `mid` (framesDecoded, packetsReceived, bytesReceived…). */
  setInbound(mid: string, fields: Record<string, unknown>): void {
    const t = this.#transceivers.find((x) => x.mid === mid);
    const kind = t?.kind ?? 'video';
    this.#inbound.set(mid, { ...this.#inbound.get(mid), kind, mid, ...fields });
  }
  /** Any other stats entries (outbound-rtp, candidate-pair, remote-inbound-rtp…). */
  setStats(stats: StatLike[]): void {
    this.#extra = stats;
  }

  async getStats(): Promise<StatsReportLike> {
    const list: StatLike[] = [...this.#extra];
    for (const [mid, fields] of this.#inbound) list.push({ type: 'inbound-rtp', id: `in-${mid}`, ...fields });
    return { forEach: (fn) => list.forEach(fn) };
  }

  addEventListener(type: PeerEvent, listener: () => void): void {
    const set = this.#listeners.get(type) ?? new Set();
    this.#listeners.set(type, set);
    set.add(listener);
  }
  removeEventListener(type: PeerEvent, listener: () => void): void {
    this.#listeners.get(type)?.delete(listener);
  }
  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }

  #lines(): Array<{ mid: string; kind: MediaKind }> {
    return this.#transceivers.filter((t) => t.mid !== null).map((t) => ({ mid: t.mid!, kind: t.kind }));
  }
  #emit(type: PeerEvent): void {
    for (const fn of [...(this.#listeners.get(type) ?? [])]) fn();
  }
}

/**
 * Every fake peer connection an engine made, and the constructor to pass as its
 * `media.RTCPeerConnection`.
 *
 * @example
 * const peers = new FakePeers();
 * engine.initialize({ ..., media: { RTCPeerConnection: peers.ctor, mediaDevices: new FakeMediaDevices() } });
 */
export class FakePeers {
  readonly created: FakePeerConnection[] = [];
  readonly ctor: PeerConstructor;
  constructor() {
    const registry = this;
    this.ctor = class extends FakePeerConnection {
      constructor(config: unknown) {
        super(config, registry);
      }
    };
  }
  /** Connections not closed, in creation order. */
  live(): FakePeerConnection[] {
    return this.created.filter((p) => !p.closed);
  }
}

/** getUserMedia that hands out FakeTracks, or fails with the DOMException name set in `fail`. */
export class FakeMediaDevices implements MediaDevicesLike {
  readonly fail: Partial<Record<MediaKind, string>> = {};
  readonly tracks: FakeTrack[] = [];
  async getUserMedia(c: { audio?: unknown; video?: unknown }): Promise<{ getTracks(): TrackLike[] }> {
    const kind: MediaKind = c.video ? 'video' : 'audio';
    const name = this.fail[kind];
    if (name) throw Object.assign(new Error(`${kind} capture failed`), { name });
    const track = new FakeTrack(kind);
    this.tracks.push(track);
    return { getTracks: () => [track] };
  }
  /** Tracks of `kind` handed out and not stopped. */
  live(kind: MediaKind): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === kind && !t.stopped);
  }
}
