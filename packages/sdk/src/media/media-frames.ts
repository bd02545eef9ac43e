import type {
  ClientMediaFrame,
  MediaKind,
  MediaOfferFrame,
  MediaStateEvent,
  MediaSubscribeFrame,
  ServerMediaFrame,
  TrackState,
} from '@holdfast/protocol';
import type { MediaTransports } from './media-transports.js';
import { sameSubscription } from './plan.js';

/** This client's published state of each kind, as media_state carries it. */
export type Published = Record<MediaKind, TrackState>;

/**
 * What the server was last told of this client's media, so that nothing is sent twice: the
 * media_state it has and the media_subscribe it has (or one that could not be sent, to try again).
 */
export class SentMedia {
  /** The media_state last delivered (undefined: must be sent). */
  state: Published | undefined;
  #subscribe: Omit<MediaSubscribeFrame, 'type'> | undefined;
  #subscribeUnsent = false;

  constructor(private readonly send: (frame: ClientMediaFrame) => boolean) {}

  /** Sends media_state unless it is the one last delivered. */
  sendState(actual: Published): void {
    const sent = this.state;
    if (sent && sent.audio === actual.audio && sent.video === actual.video) return;
    if (this.send({ type: 'media_state', ...actual })) this.state = actual;
  }

  subscribe(desired: Omit<MediaSubscribeFrame, 'type'> | undefined): void {
    if (!desired) return;
    if (!this.#subscribeUnsent && this.#subscribe && sameSubscription(desired, this.#subscribe)) return;
    const sent = this.send({ type: 'media_subscribe', ...desired });
    this.#subscribeUnsent = !sent;
    if (sent) this.#subscribe = desired;
  }

  /** The connections are gone: everything is sent again. */
  forget(): void {
    this.state = this.#subscribe = undefined;
    this.#subscribeUnsent = false;
  }
}

/** Where the server's media frames go in the media session. */
export interface MediaFrameTargets {
  readonly transports: MediaTransports;
  /** The member is known (joined) to this client. */
  known(uid: number): boolean;
  /** A member's published state of one kind. */
  published(uid: number, kind: MediaKind, state: TrackState): void;
  offer(frame: MediaOfferFrame): void;
  /** The server node that carried the channel's media is gone. */
  moved(): void;
  error(code: string, message: string): void;
}

/** One media signalling frame or member media state event from the server, delivered. */
export function receiveMediaFrame(frame: ServerMediaFrame | MediaStateEvent, to: MediaFrameTargets): void {
  if ('kind' in frame) {
    to.published(frame.uid, 'audio', frame.audio);
    to.published(frame.uid, 'video', frame.video);
    return;
  }
  switch (frame.type) {
    case 'media_publish_answer':
      to.transports.answer(frame.sdp);
      return;
    case 'media_offer':
      to.offer(frame);
      return;
    case 'media_snapshot':
      // Who publishes what as this client starts receiving (also kinds it does not subscribe to).
      for (const m of frame.members) if (to.known(m.uid)) receiveMediaFrame({ kind: 'media', ...m }, to);
      return;
    case 'media_sub_answer':
      to.transports.restartAnswered(frame.sdp);
      return;
    case 'media_moved':
      to.moved();
      return;
    case 'media_error':
      // `busy` answers only a subscriber restart offer. Other codes do not name the request they
      // answer: the publisher's waiting offer takes them first (see the README's protocol note).
      if (
        frame.code === 'busy'
          ? to.transports.restartRefused(frame.code)
          : to.transports.refused(frame.code, frame.message)
      )
        return;
      to.error(frame.code, frame.message);
      return;
  }
}
