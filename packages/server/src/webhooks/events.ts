import { randomUUID } from 'node:crypto';
import type { WireRole } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { MemberHooks } from '../channels/hooks.js';
import type { ChannelRef, MemberRecord } from '../engine/types.js';
import { END_CAUSES, type EndCause } from '../session/end-causes.js';
import type { ChannelCounter } from './channel-count.js';
import type { WebhookEvent, WebhookEventName } from './types.js';

/** Fields of an event beyond its name and channel. */
type Extra = Omit<WebhookEvent, 'id' | 'event' | 'appId' | 'channel' | 'at' | 'nodeId'>;

/** The causes that are a kick (`user_kicked` before `user_left`). */
const KICKS: ReadonlySet<EndCause> = new Set(['banned', 'channel_closed']);

/**
 * Member facts (the channel path's {@link MemberHooks}) as webhook events:
 *
 * - joined → `channel_created` (when the channel's count goes 0 → 1), then `user_joined`;
 * - left → `token_expired` or `user_kicked` (for those causes), then `user_left` (reason: what the
 *   members saw; cause: how the session ended), then `channel_destroyed` (count 1 → 0);
 * - role changed → `role_changed`.
 *
 * Each fact is stamped when told and handed to `emit` in the order told (the channel count is a
 * round trip to Redis in a cluster; many are in flight at once). Facts waiting for their turn are bounded by
 * `maxPending`; past it they are dropped and counted, like a full queue.
 */
export class WebhookEvents implements MemberHooks {
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  /** Facts dropped since there was last room (one log line per full spell). */
  #dropping = 0;

  constructor(
    private readonly o: {
      nodeId: string;
      now: () => number;
      counter: ChannelCounter;
      emit: (event: WebhookEvent) => void;
      dropped: () => void;
      maxPending: number;
      log: Logger;
    },
  ) {}

  joined(ref: ChannelRef, m: MemberRecord): void {
    const at = this.o.now();
    this.#queue(
      () => this.#count(ref, 1),
      (n) => {
        if (n === 1) this.#emit('channel_created', ref, at, {});
        this.#emit('user_joined', ref, at, { uid: m.uid, role: m.role, profile: m.profile });
      },
    );
  }

  left(ref: ChannelRef, m: MemberRecord, cause: EndCause): void {
    const at = this.o.now();
    const offline = END_CAUSES[cause].offline;
    const who = {
      uid: m.uid,
      role: m.role,
      profile: m.profile,
      ...(offline !== 'none' ? { reason: offline } : {}),
      cause,
    };
    this.#queue(
      () => this.#count(ref, -1),
      (n) => {
        if (cause === 'token_expired') this.#emit('token_expired', ref, at, who);
        else if (KICKS.has(cause)) this.#emit('user_kicked', ref, at, who);
        this.#emit('user_left', ref, at, who);
        if (n === 0) this.#emit('channel_destroyed', ref, at, {});
      },
    );
  }

  roleChanged(ref: ChannelRef, m: MemberRecord, previous: WireRole): void {
    const at = this.o.now();
    this.#queue(
      async () => Number.NaN,
      () =>
        this.#emit('role_changed', ref, at, {
          uid: m.uid,
          role: m.role,
          profile: m.profile,
          previousRole: previous,
        }),
    );
  }

  /** Resolves once every fact told so far is handed over (tests, shutdown). */
  settled(): Promise<void> {
    return this.#chain;
  }

  /**
   * Starts the fact's count step now (Redis answers one connection's commands in the order asked,
   * so many are in flight at once) and hands its events over in the order the facts were told.
   */
  #queue(count: () => Promise<number>, then: (n: number) => void): void {
    if (this.#pending >= this.o.maxPending) {
      this.o.dropped();
      if (this.#dropping++ === 0)
        this.o.log.warn(
          { pending: this.#pending },
          'webhooks: too many facts waiting for their channel count; dropping events until there is room',
        );
      return;
    }
    if (this.#dropping > 0) {
      this.o.log.warn({ dropped: this.#dropping }, 'webhooks: room again for events');
      this.#dropping = 0;
    }
    this.#pending++;
    const counted = count();
    this.#chain = this.#chain
      .then(() => counted)
      .then(then)
      .then(
        () => {
          this.#pending--;
        },
        (err: unknown) => {
          this.#pending--;
          this.o.log.error({ err }, 'webhook event failed');
        },
      );
  }

  /** The channel's count after `delta`; NaN (no channel event) when the count cannot be reached. */
  async #count(ref: ChannelRef, delta: 1 | -1): Promise<number> {
    try {
      return await this.o.counter.add(ref, delta);
    } catch (err) {
      this.o.log.warn(
        { err: (err as Error).message, channel: ref.channel },
        'webhooks: channel count unreachable; no channel_created/destroyed for this step',
      );
      return Number.NaN;
    }
  }

  #emit(event: WebhookEventName, ref: ChannelRef, at: number, extra: Extra): void {
    this.o.emit({
      id: randomUUID(),
      event,
      appId: ref.appId,
      channel: ref.channel,
      ...extra,
      at,
      nodeId: this.o.nodeId,
    });
  }
}
