import type { ClientMediaFrame, Clock, MediaErrorCode, MediaStateEvent } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { LiveSession } from '../channels/live-session.js';
import type { LocalSessions } from '../channels/local-sessions.js';
import { type ChannelRef, channelKey } from '../engine/types.js';
import { type MediaOptions, peerConfig } from './config.js';
import { MediaRoom } from './room.js';

export interface MediaPlanePorts {
  now(): number;
  clock: Clock;
  log: Logger;
  local: LocalSessions;
  /** Publishes a channel event (the member's media state) through the engine. */
  publish(ref: ChannelRef, event: MediaStateEvent): Promise<void>;
}

/**
 * The embedded SFU of one node: a {@link MediaRoom} per channel with media, fed by the media
 * signalling frames of this node's sessions. It knows nothing of tokens or presence; the
 * session layer tells it who may publish and when a member is gone.
 */
export class MediaPlane {
  readonly #rooms = new Map<string, MediaRoom>();
  readonly #config: () => ReturnType<typeof peerConfig>;

  constructor(
    options: MediaOptions,
    private readonly ports: MediaPlanePorts,
  ) {
    this.#config = () => peerConfig(options);
  }

  /** Channels with media on this node. */
  get rooms(): number {
    return this.#rooms.size;
  }

  #room(live: LiveSession): MediaRoom {
    let room = this.#rooms.get(live.key);
    if (!room) {
      const { key, ref } = live;
      room = new MediaRoom(this.#config, {
        now: this.ports.now,
        later: (fn, ms) => void this.ports.clock.setTimeout(fn, ms),
        send: (uid, frame) => {
          for (const s of this.ports.local.inChannel(key)) if (s.uid === uid) s.conn?.send(frame);
        },
        publishState: (event) => {
          this.ports
            .publish(ref, event)
            .catch((err: unknown) => this.ports.log.warn({ err }, 'media state not published'));
        },
        warn: (msg, err) => this.ports.log.warn({ err, channel: ref.channel }, msg),
      });
      this.#rooms.set(key, room);
    }
    return room;
  }

  #mayPublish(live: LiveSession): boolean {
    return live.profile === 'communication' || live.role === 'broadcaster';
  }

  #error(live: LiveSession, code: MediaErrorCode, message: string): void {
    live.conn?.send({ type: 'media_error', code, message });
  }

  async handle(live: LiveSession, frame: ClientMediaFrame): Promise<void> {
    switch (frame.type) {
      case 'media_publish': {
        if (!this.#mayPublish(live))
          return this.#error(live, 'not_broadcaster', 'only broadcasters publish media in live broadcasting');
        try {
          const sdp = await this.#room(live).publish(live.uid, frame.sdp);
          live.conn?.send({ type: 'media_publish_answer', sdp });
        } catch (err) {
          this.ports.log.info({ err, session: live.tag }, 'publish offer refused');
          this.#error(
            live,
            'bad_sdp',
            `the offer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      }
      case 'media_answer':
        try {
          await this.#rooms.get(live.key)?.answer(live.uid, frame.version, frame.sdp);
        } catch (err) {
          this.#error(
            live,
            'bad_sdp',
            `the answer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      case 'media_sub_offer':
        try {
          const answer = await this.#rooms.get(live.key)?.subOffer(live.uid, frame.sdp);
          if (answer === undefined || answer === 'busy')
            return this.#error(
              live,
              'busy',
              'no subscriber connection, or a server offer awaits your answer',
            );
          live.conn?.send({ type: 'media_sub_answer', sdp: answer });
        } catch (err) {
          this.#error(
            live,
            'bad_sdp',
            `the offer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      case 'media_subscribe':
        this.#room(live).subscribe(live.uid, frame);
        return;
      case 'media_state':
        if (!this.#mayPublish(live)) return;
        this.#room(live).setState(live.uid, { audio: frame.audio, video: frame.video });
        return;
      case 'media_unpublish':
        this.#rooms.get(live.key)?.unpublish(live.uid);
        return;
      case 'media_reset':
        // As if the member's media had left; it publishes and subscribes again on new connections.
        this.#rooms.get(live.key)?.reset(live.uid);
        return;
    }
  }

  /** Test seam: cuts or restores one member's media path at the server (see MediaRoom.block). */
  block(ref: ChannelRef, uid: number, blocked: boolean): void {
    this.#rooms.get(channelKey(ref))?.block(uid, blocked);
  }

  /** The session's signalling came back (a resume): media offers it may have missed go again. */
  resumed(live: LiveSession): void {
    this.#rooms.get(live.key)?.resumed(live.uid);
  }

  /** The member may no longer publish (became audience in live broadcasting). */
  roleChanged(live: LiveSession): void {
    if (!this.#mayPublish(live)) this.#rooms.get(live.key)?.unpublish(live.uid);
  }

  /** The session is gone from this node: its media is closed, and an empty room with it. */
  leave(live: LiveSession): void {
    const room = this.#rooms.get(live.key);
    if (!room) return;
    room.leave(live.uid);
    if (room.size === 0) this.#rooms.delete(live.key);
  }

  close(): void {
    for (const room of this.#rooms.values()) room.close();
    this.#rooms.clear();
  }
}
