import type {
  ClientMediaFrame,
  Clock,
  MediaErrorCode,
  MediaStateEvent,
  ServerMediaFrame,
} from '@holdfast/protocol';
import type { Logger } from 'pino';
import { type ChannelRef, channelKey } from '../engine/types.js';
import { type MediaOptions, peerConfig } from './config.js';
import { MediaRoom } from './room.js';

export interface MediaPlanePorts {
  now(): number;
  clock: Clock;
  log: Logger;
  /** Publishes a channel event (the member's media state) through the engine. */
  publish(ref: ChannelRef, event: MediaStateEvent): Promise<void>;
  /** A room closed (its last member left): this node no longer hosts the channel's media. */
  closed?(ref: ChannelRef): void;
}

/**
 * A member as the media plane sees it: where it is, what it may do, and how to reach it — the
 * connection on this node, or through the engine bus when another node holds its session.
 */
export interface MediaMember {
  ref: ChannelRef;
  uid: number;
  /** The session's short tag (logs). */
  tag: string;
  /** Whether it may publish now (communication profile, or a broadcaster). */
  mayPublish: boolean;
  send(frame: ServerMediaFrame): void;
}

interface HostedRoom {
  ref: ChannelRef;
  room: MediaRoom;
  /** How to reach each member: the last {@link MediaMember} seen for its uid. */
  members: Map<number, MediaMember>;
}

/**
 * The embedded SFU of one node: a {@link MediaRoom} per channel whose media this node hosts, fed
 * by the media signalling of the channel's members (on this node or, through media/router.ts, on
 * others). It knows nothing of tokens or presence; the session layer tells it who may publish and
 * when a member is gone.
 */
export class MediaPlane {
  readonly #rooms = new Map<string, HostedRoom>();
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

  /** The channels this node hosts media for. */
  hosted(): ChannelRef[] {
    return [...this.#rooms.values()].map((h) => h.ref);
  }

  hosts(ref: ChannelRef): boolean {
    return this.#rooms.has(channelKey(ref));
  }

  /** Whether the member has media in a room of this node. */
  knows(ref: ChannelRef, uid: number): boolean {
    return this.#rooms.get(channelKey(ref))?.members.has(uid) ?? false;
  }

  #room(member: MediaMember): MediaRoom {
    const key = channelKey(member.ref);
    let hosted = this.#rooms.get(key);
    if (!hosted) {
      const { ref } = member;
      const members = new Map<number, MediaMember>();
      const room = new MediaRoom(this.#config, {
        now: this.ports.now,
        later: (fn, ms) => void this.ports.clock.setTimeout(fn, ms),
        send: (uid, frame) => members.get(uid)?.send(frame),
        publishState: (event) => {
          this.ports
            .publish(ref, event)
            .catch((err: unknown) => this.ports.log.warn({ err }, 'media state not published'));
        },
        warn: (msg, err) => this.ports.log.warn({ err, channel: ref.channel }, msg),
      });
      hosted = { ref, room, members };
      this.#rooms.set(key, hosted);
    }
    hosted.members.set(member.uid, member);
    return hosted.room;
  }

  #existing(member: MediaMember): MediaRoom | undefined {
    const hosted = this.#rooms.get(channelKey(member.ref));
    hosted?.members.set(member.uid, member);
    return hosted?.room;
  }

  #error(member: MediaMember, code: MediaErrorCode, message: string): void {
    member.send({ type: 'media_error', code, message });
  }

  async handle(member: MediaMember, frame: ClientMediaFrame): Promise<void> {
    switch (frame.type) {
      case 'media_publish': {
        if (!member.mayPublish)
          return this.#error(
            member,
            'not_broadcaster',
            'only broadcasters publish media in live broadcasting',
          );
        try {
          const sdp = await this.#room(member).publish(member.uid, frame.sdp);
          member.send({ type: 'media_publish_answer', sdp });
        } catch (err) {
          this.ports.log.info({ err, session: member.tag }, 'publish offer refused');
          this.#error(
            member,
            'bad_sdp',
            `the offer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      }
      case 'media_answer':
        try {
          await this.#existing(member)?.answer(member.uid, frame.version, frame.sdp);
        } catch (err) {
          this.#error(
            member,
            'bad_sdp',
            `the answer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      case 'media_sub_offer':
        try {
          const answer = await this.#existing(member)?.subOffer(member.uid, frame.sdp);
          if (answer === undefined || answer === 'busy')
            return this.#error(
              member,
              'busy',
              'no subscriber connection, or a server offer awaits your answer',
            );
          member.send({ type: 'media_sub_answer', sdp: answer });
        } catch (err) {
          this.#error(
            member,
            'bad_sdp',
            `the offer could not be applied: ${(err as Error).message}`.slice(0, 200),
          );
        }
        return;
      case 'media_subscribe':
        this.#room(member).subscribe(member.uid, frame);
        return;
      case 'media_state':
        if (!member.mayPublish) return;
        this.#room(member).setState(member.uid, { audio: frame.audio, video: frame.video });
        return;
      case 'media_unpublish':
        this.#existing(member)?.unpublish(member.uid);
        return;
      case 'media_reset':
        // As if the member's media had left; it publishes and subscribes again on new connections.
        this.#existing(member)?.reset(member.uid);
        return;
    }
  }

  /** Test seam: cuts or restores one member's media path at the server (see MediaRoom.block). */
  block(ref: ChannelRef, uid: number, blocked: boolean): void {
    this.#rooms.get(channelKey(ref))?.room.block(uid, blocked);
  }

  /** The member's signalling came back (a resume): media offers it may have missed go again. */
  resumed(member: MediaMember): void {
    this.#existing(member)?.resumed(member.uid);
  }

  /** The member may no longer publish (became audience in live broadcasting). */
  roleChanged(member: MediaMember): void {
    if (!member.mayPublish) this.#existing(member)?.unpublish(member.uid);
  }

  /** The member is gone: its media is closed, and an empty room with it. */
  leave(ref: ChannelRef, uid: number): void {
    const key = channelKey(ref);
    const hosted = this.#rooms.get(key);
    if (!hosted) return;
    hosted.room.leave(uid);
    hosted.members.delete(uid);
    if (hosted.room.size === 0) {
      this.#rooms.delete(key);
      this.ports.closed?.(ref);
    }
  }

  /**
   * This node no longer hosts the channel's media (another node holds the claim): the room is
   * closed and every member is told to start over (`media_moved`) wherever the media is now.
   */
  drop(ref: ChannelRef): void {
    const key = channelKey(ref);
    const hosted = this.#rooms.get(key);
    if (!hosted) return;
    this.#rooms.delete(key);
    hosted.room.close();
    for (const m of hosted.members.values()) m.send({ type: 'media_moved' });
  }

  close(): void {
    for (const hosted of this.#rooms.values()) hosted.room.close();
    this.#rooms.clear();
  }
}
