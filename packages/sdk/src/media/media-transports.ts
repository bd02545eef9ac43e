import type { MediaOfferFrame } from '@holdfast/protocol';
import type { ChannelSession } from '../session/channel-session.js';
import { preferVideoCodec } from './codec-preference.js';
import type { PeerRole } from './link-machine.js';
import type { MediaOptions } from './options.js';
import { type PeerLike, resolvePeerConstructor } from './peer.js';
import { PublisherTransport } from './publisher.js';
import { type ReceivedTrack, SubscriberTransport } from './subscriber.js';

/**
 * What the two connections tell the media session. Every call but `peerState` and `error` comes
 * only from the connection in use (one replaced since is not heard).
 */
export interface TransportEvents {
  /** A connection's state (undefined: it is gone), for the media connection machine. */
  peerState(role: PeerRole, state: string | undefined): void;
  /** A publisher connection is about to be made. */
  newPublisher(): void;
  /** The publisher's offer was answered. */
  negotiated(): void;
  /** The server refused the publisher's offer. */
  refused(code: string, message: string): void;
  /** The publisher connection's state changed (`pubConnected` is the new one). */
  publisherState(): void;
  /** The subscriber connection's state changed (after `peerState`). */
  subscriberState(state: string): void;
  /** The tracks the subscriber connection receives. */
  tracks(list: ReceivedTrack[]): void;
  error(code: string, message: string): void;
}

/**
 * The media session's two peer connections, publisher and subscriber: made when first needed,
 * closed and forgotten together (a replacement is made by the next need), ICE restarted and
 * resent together, and the server's answers and offers for them delivered.
 */
export class MediaTransports {
  #publisher: PublisherTransport | undefined;
  #subscriber: SubscriberTransport | undefined;
  #pubConnected = false;

  constructor(
    private readonly session: ChannelSession,
    private readonly options: MediaOptions,
    private readonly events: TransportEvents,
  ) {}

  get publisher(): PublisherTransport | undefined {
    return this.#publisher;
  }
  get subscriber(): SubscriberTransport | undefined {
    return this.#subscriber;
  }
  /** The publisher connection is connected. */
  get pubConnected(): boolean {
    return this.#pubConnected;
  }
  get received(): readonly ReceivedTrack[] {
    return this.#subscriber?.received ?? [];
  }

  /** The publisher connection, made now if there is none. */
  publish(): PublisherTransport {
    if (!this.#publisher) this.#publisher = this.#newPublisher();
    return this.#publisher;
  }

  /** Nothing is published: the publisher connection is closed and forgotten. */
  closePublisher(): void {
    this.#publisher?.close();
    this.#publisher = undefined;
    this.#pubConnected = false;
    this.events.peerState('publisher', undefined);
  }

  /** Both connections closed and forgotten (their states are the caller's to tell). */
  close(): void {
    this.#publisher?.close();
    this.#subscriber?.close();
    this.#publisher = this.#subscriber = undefined;
    this.#pubConnected = false;
  }

  restartIce(): void {
    this.#publisher?.restartIce();
    this.#subscriber?.restartIce();
  }

  /** Signalling resumed: what waits for the server is sent again. */
  resend(): void {
    this.#publisher?.resend();
    this.#subscriber?.resend();
  }

  answer(sdp: string): void {
    this.#publisher?.answer(sdp);
  }

  /** The server's offer of what this client receives: the subscriber connection, made now if there is none. */
  offer(frame: MediaOfferFrame): void {
    if (!this.#subscriber) this.#subscriber = this.#newSubscriber();
    this.#subscriber.offer(frame);
  }

  restartAnswered(sdp: string): void {
    this.#subscriber?.restartAnswered(sdp);
  }

  restartRefused(code: string): boolean | undefined {
    return this.#subscriber?.restartRefused(code);
  }

  /** A media_error that does not name its request: the publisher's waiting offer takes it first. */
  refused(code: string, message: string): boolean {
    return this.#publisher?.refuse(code, message) || (this.#subscriber?.restartRefused(code) ?? false);
  }

  #newPublisher(): PublisherTransport {
    this.events.newPublisher();
    const pub: PublisherTransport = new PublisherTransport({
      clock: this.session.clock,
      create: () => this.#peer('publisher'),
      added: (kind, transceiver) => {
        const codec = this.options.videoCodec;
        if (kind === 'video' && codec && codec !== 'vp8') preferVideoCodec(transceiver, codec);
      },
      send: (sdp) => this.session.sendMedia({ type: 'media_publish', sdp }),
      negotiated: () => {
        if (this.#publisher !== pub) return;
        this.events.negotiated();
      },
      refused: (code, message) => {
        if (this.#publisher !== pub) return;
        this.events.refused(code, message);
      },
      connectionState: (state) => {
        if (this.#publisher !== pub) return;
        this.#pubConnected = state === 'connected';
        this.events.publisherState();
        this.events.peerState('publisher', state);
      },
    });
    return pub;
  }

  #newSubscriber(): SubscriberTransport {
    const sub: SubscriberTransport = new SubscriberTransport({
      clock: this.session.clock,
      create: () => this.#peer('subscriber'),
      send: (frame) => this.session.sendMedia(frame),
      sendOffer: (sdp) => this.session.sendMedia({ type: 'media_sub_offer', sdp }),
      tracks: (list) => {
        if (this.#subscriber === sub) this.events.tracks(list);
      },
      connectionState: (state) => {
        if (this.#subscriber !== sub) return;
        this.events.peerState('subscriber', state);
        this.events.subscriberState(state);
      },
      failed: (err) => this.events.error('bad_sdp', `subscriber offer not applied: ${err.message}`),
    });
    return sub;
  }

  #peer(role: PeerRole): PeerLike {
    const Ctor = resolvePeerConstructor(this.options.RTCPeerConnection);
    if (!Ctor) throw new Error('no RTCPeerConnection');
    const pc = new Ctor({ iceServers: this.options.iceServers ?? [], bundlePolicy: 'max-bundle' });
    this.events.peerState(role, pc.connectionState);
    return pc;
  }
}
