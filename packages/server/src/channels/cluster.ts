import type { Clock } from '@holdfast/protocol';
import type { Logger } from 'pino';
import {
  type BusMessage,
  type ChannelRef,
  channelKey,
  type Engine,
  isAnnounced,
  ruleMatches,
} from '../engine/types.js';
import { BUS_END_CAUSE } from '../session/end-causes.js';
import { normalizeIp, UNLIMITED } from './admission.js';
import { ChannelFanout, type FanoutOptions } from './fanout.js';
import type { LocalSessions } from './local-sessions.js';
import type { ChannelService } from './service.js';

export interface ClusterOptions {
  nodeId: string;
  clock: Clock;
  log: Logger;
  /** Batching and backpressure of channel events (defaults: see {@link ChannelFanout}). */
  fanout?: Omit<FanoutOptions, 'clock' | 'log'>;
}

/**
 * This node's part in the cluster: acting on bus messages (channel events to
 * deliver, sessions to let go of, kicks, channel closes), announcing orphans of
 * dead nodes, and rebuilding shared state after the engine lost it.
 */
export class ClusterControl {
  #unsubscribe: () => void;
  /** Channel events to this node's members: batched per turn, with backpressure. */
  readonly fanout: ChannelFanout;

  constructor(
    private readonly service: ChannelService,
    private readonly local: LocalSessions,
    private readonly engine: Engine,
    private readonly opts: ClusterOptions,
  ) {
    this.fanout = new ChannelFanout(engine, local, { clock: opts.clock, log: opts.log, ...opts.fanout });
    this.#unsubscribe = engine.subscribe((m) => this.#onBus(m));
  }

  stop(): void {
    this.#unsubscribe();
    this.fanout.stop();
  }

  /**
   * After the engine lost its state (Redis restarted empty): put back the sessions
   * and members this node holds, keep channel seqs from going backwards, and —
   * once every node has had time to do the same — send each client the member
   * list as it now stands, since events may have been lost meanwhile.
   */
  async reassert(syncAfterMs: number): Promise<void> {
    const now = this.opts.clock.now();
    const nodeId = this.opts.nodeId;
    const highest = new Map<string, { ref: ChannelRef; seq: number }>();
    for (const live of this.local.all()) {
      const { ref, uid, id } = live;
      // The engine lost every deadline too: the next heartbeat publishes this one again.
      live.publishedDeadline = undefined;
      await this.engine.putSession({
        id,
        appId: ref.appId,
        channel: ref.channel,
        uid,
        nodeId,
        createdAt: now,
        // The client still holds its secret: its resume must keep working after the reset.
        secretHash: live.secretHash,
      });
      if (!(await this.engine.getMember(ref, uid)))
        await this.engine.admitMember(
          ref,
          {
            uid,
            sessionId: id,
            role: live.role,
            profile: live.profile,
            joinedAt: now,
            nodeId,
          },
          { maxBroadcasters: UNLIMITED },
        );
      const h = highest.get(live.key);
      if (!h || h.seq < live.lastSeq) highest.set(live.key, { ref, seq: live.lastSeq });
    }
    for (const { ref, seq } of highest.values()) await this.engine.raiseSeq(ref, seq);
    this.opts.clock.setTimeout(() => void this.#syncAll().catch(this.#logError), syncAfterMs);
  }

  async #syncAll(): Promise<void> {
    for (const [key, first] of this.local.channels()) {
      const { members, seq } = await this.engine.snapshot(first.ref);
      for (const live of this.local.inChannel(key)) {
        live.lastSeq = Math.max(live.lastSeq, seq);
        const others = members
          .filter((m) => m.uid !== live.uid && isAnnounced(m))
          .map((m) => ({ uid: m.uid }));
        live.conn?.send({ type: 'sync', seq, members: others });
      }
    }
  }

  #onBus(message: BusMessage): void {
    switch (message.kind) {
      case 'channel_event':
        // Seqs are channel-wide: one encoding serves every member, and a turn's events go out together.
        this.fanout.push(channelKey(message.ref), message.seq, message.event);
        return;
      case 'end_session':
      case 'session_moved': {
        const live = this.local.get(message.sessionId);
        if (!live) return;
        const mine = message.nodeId === this.opts.nodeId;
        if (message.kind === 'session_moved' ? mine : !mine) return;
        // The member record now belongs to another session or node: let go quietly, no presence event.
        // A session flapping between two sockets across nodes: the one here lost for good.
        const cause =
          message.kind === 'end_session'
            ? BUS_END_CAUSE[message.code]
            : message.lost === 'same_uid_login'
              ? 'same_uid_login'
              : 'moved';
        void this.service.end(live, cause).catch(this.#logError);
        return;
      }
      case 'kick': {
        const now = this.opts.clock.now();
        for (const live of this.local.all()) {
          const who = { ...live.ref, uid: live.uid, ip: normalizeIp(live.remote) };
          if (ruleMatches(message.rule, who, now))
            void this.service.end(live, 'banned').catch(this.#logError);
        }
        return;
      }
      case 'close_channel':
        for (const live of this.local.inChannel(channelKey(message.ref)))
          void this.service.end(live, 'channel_closed').catch(this.#logError);
        return;
    }
  }

  #logError = (err: unknown): void => this.opts.log.error({ err }, 'cluster work failed');
}
