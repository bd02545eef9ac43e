import type { ClientMediaFrame, ServerMediaFrame, TimerHandle } from '@holdfast/protocol';
import type { LiveSession } from '../channels/live-session.js';
import {
  type BusMessage,
  type ChannelRef,
  channelKey,
  isAnnounced,
  type MediaCall,
} from '../engine/types.js';
import { CallChains } from './call-chains.js';
import type { MediaMember } from './media-plane.js';
import type { Away, MediaPlaneLike, MediaRouterOptions } from './router-types.js';

export type { MediaPlaneLike, MediaRouterOptions } from './router-types.js';

const mayPublish = (live: LiveSession): boolean => isAnnounced(live);

/**
 * Puts each channel's media on one node (as LiveKit pins a room): the first node to need it claims
 * it in the engine, renews the claim while it serves the room, and every other node relays its
 * members' media signalling to that host over the engine bus (`media_call` / `media_reply`); media
 * itself flows between each client and the host directly. When the host dies its claim lapses:
 * the members' nodes notice at their next check, tell their clients `media_moved`, and the clients'
 * next media frames make a surviving node the host. With the memory engine and one node, every
 * channel is hosted here and nothing crosses a bus.
 *
 * Each member's calls go through one chain, so they reach the host in the order they were made.
 */
export class MediaRouter {
  readonly #away = new Map<string, Away>();
  /** On the host: members whose sessions other nodes hold, by channel key → uid → that node. */
  readonly #remote = new Map<string, Map<number, string>>();
  readonly #chains = new CallChains();
  readonly #unsubscribe: () => void;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(
    readonly plane: MediaPlaneLike,
    private readonly opts: MediaRouterOptions,
  ) {
    this.#unsubscribe = opts.engine.subscribe((m) => this.#onBus(m));
    this.#schedule();
  }

  /** Channels whose media this node hosts. */
  get rooms(): number {
    return this.plane.rooms;
  }

  /** Sizes of the routing maps (tests: what a gone member or channel leaves behind). */
  get routes(): { away: number; remote: number; chains: number } {
    return { away: this.#away.size, remote: this.#remote.size, chains: this.#chains.size };
  }

  // ------------------------------------------------------------ this node's sessions

  handle(live: LiveSession, frame: ClientMediaFrame): Promise<void> {
    const member = this.#local(live);
    // What a member may not do is refused here: a refused publish must not make this node the
    // channel's media host (a claim with no room, held for a claim's lifetime).
    if (!member.mayPublish && (frame.type === 'media_publish' || frame.type === 'media_state'))
      return this.plane
        .handle(member, frame)
        .catch((err: unknown) => this.opts.log.warn({ err, session: live.tag }, 'media frame failed'));
    return this.#enqueue(live, true, (host) => {
      if (host === this.opts.nodeId) this.#run(this.plane.handle(member, frame));
      else if (host)
        this.#call(host, live, { op: 'frame', frame, mayPublish: member.mayPublish, tag: live.tag });
    });
  }

  /**
   * The session's signalling came back: an offer it may have missed is sent again. When no node
   * carries its media any more (its host died meanwhile), the client is told to start over.
   */
  resumed(live: LiveSession): void {
    const member = this.#local(live);
    void this.#enqueue(live, false, (host) => {
      if (host === undefined || (host === this.opts.nodeId && !this.plane.knows(live.ref, live.uid)))
        member.send({ type: 'media_moved' });
      else if (host === this.opts.nodeId) this.plane.resumed(member);
      else this.#call(host, live, { op: 'resumed' });
    });
  }

  roleChanged(live: LiveSession): void {
    void this.#enqueue(live, false, (host) => {
      if (host === this.opts.nodeId) this.plane.roleChanged(this.#local(live));
      else if (host) this.#call(host, live, { op: 'role', mayPublish: mayPublish(live) });
    });
  }

  /** The session is gone from this node: its media is closed wherever it is hosted. */
  leave(live: LiveSession): void {
    const { key, uid, ref } = live;
    void this.#enqueue(live, false, (host) => {
      if (host === this.opts.nodeId) this.plane.leave(ref, uid);
      else if (host) this.#call(host, live, { op: 'leave' });
      const away = this.#away.get(key);
      away?.uids.delete(uid);
      if (away?.uids.size === 0) this.#away.delete(key);
    });
  }

  /** Test seam: cuts or restores one member's media path at the channel's media host. */
  block(ref: ChannelRef, uid: number, blocked: boolean): void {
    const away = this.#away.get(channelKey(ref));
    if (away)
      this.#publish({
        kind: 'media_call',
        to: away.host,
        from: this.opts.nodeId,
        ref,
        uid,
        call: { op: 'block', blocked },
      });
    else this.plane.block(ref, uid, blocked);
  }

  /**
   * The node stops: every room it hosts is given up (members are told `media_moved` and move to
   * another node at once rather than when the claim lapses).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) this.opts.clock.clearTimeout(this.#timer);
    this.#unsubscribe();
    for (const ref of this.plane.hosted()) {
      this.plane.drop(ref);
      this.#run(this.opts.engine.releaseMediaHost(ref, this.opts.nodeId));
    }
    this.plane.close();
  }

  /** The plane closed an empty room: the claim goes with it. */
  roomClosed(ref: ChannelRef): void {
    this.#remote.delete(channelKey(ref));
    if (!this.#closed) this.#run(this.opts.engine.releaseMediaHost(ref, this.opts.nodeId));
  }

  #local(live: LiveSession): MediaMember {
    const { ref, uid, tag, key } = live;
    return { ref, uid, tag, mayPublish: mayPublish(live), send: (frame) => this.#deliver(key, uid, frame) };
  }

  #deliver(key: string, uid: number, frame: ServerMediaFrame): void {
    for (const s of this.opts.local.inChannel(key)) if (s.uid === uid) s.conn?.send(frame);
  }

  /**
   * Runs `step` for the member after the calls it made before, with the channel's media host:
   * claimed for this node if nobody holds it (`claim`, for frames that open media), otherwise only
   * looked up (a leave or resume does not make a node the host; `undefined`: no node hosts it).
   */
  #enqueue(live: LiveSession, claim: boolean, step: (host: string | undefined) => void): Promise<void> {
    return this.#chains.run(
      live.key,
      live.uid,
      async () => {
        if (this.#closed) return;
        const host = await this.#host(live, claim);
        // close() ran while the engine answered: a claim it made for this node is let go, no room
        // opens, and a frame's sender starts over like the members of the rooms close() gave up.
        if (this.#closed) {
          this.#releaseIfOurs(live.ref, host);
          if (claim) this.#deliver(live.key, live.uid, { type: 'media_moved' });
          return;
        }
        step(host);
      },
      (err: unknown) => this.opts.log.warn({ err, session: live.tag }, 'media call not routed'),
    );
  }

  async #host(live: LiveSession, claim: boolean): Promise<string | undefined> {
    const { key, ref, uid } = live;
    const away = this.#away.get(key);
    if (away) {
      away.uids.add(uid);
      return away.host;
    }
    if (this.plane.hosts(ref)) return this.opts.nodeId;
    const { engine, nodeId, claimTtlMs } = this.opts;
    const host = claim ? await engine.claimMediaHost(ref, nodeId, claimTtlMs) : await engine.mediaHost(ref);
    // The claim may have moved on while we waited (another member's call came first).
    const now = this.#away.get(key);
    if (now) {
      now.uids.add(uid);
      return now.host;
    }
    if (host !== undefined && host !== nodeId) this.#away.set(key, { ref, host, uids: new Set([uid]) });
    return host;
  }

  #call(host: string, live: LiveSession, call: MediaCall): void {
    this.#publish({
      kind: 'media_call',
      to: host,
      from: this.opts.nodeId,
      ref: live.ref,
      uid: live.uid,
      call,
    });
  }

  #publish(message: BusMessage): void {
    this.#run(this.opts.engine.publish(message));
  }

  #run(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.opts.log.warn({ err }, 'media routing failed'));
  }

  // ------------------------------------------------------------ the bus

  /** Called by the engine's bus dispatch: nothing may throw out of it (it would skip the other listeners). */
  #onBus(m: BusMessage): void {
    if ((m.kind !== 'media_call' && m.kind !== 'media_reply') || m.to !== this.opts.nodeId) return;
    try {
      if (m.kind === 'media_call') this.#onCall(m.from, m.ref, m.uid, m.call);
      else {
        const key = channelKey(m.ref);
        if (m.frame.type === 'media_moved') this.#movedOne(key, m.ref, m.uid);
        else this.#deliver(key, m.uid, m.frame);
      }
    } catch (err) {
      this.opts.log.warn(
        { err, kind: m.kind, from: 'from' in m ? m.from : undefined },
        'malformed media bus message skipped',
      );
    }
  }

  /** A call from the node holding a member's session, in the order that node made them. */
  #onCall(from: string, ref: ChannelRef, uid: number, call: MediaCall): void {
    const key = channelKey(ref);
    void this.#chains.run(
      key,
      uid,
      async () => {
        if (this.#closed) return this.#reply(from, ref, uid, { type: 'media_moved' });
        if (call.op === 'resumed' && !this.plane.knows(ref, uid))
          return this.#reply(from, ref, uid, { type: 'media_moved' });
        if (!this.plane.hosts(ref)) {
          // Not hosting (any more, or yet): a frame makes this node the host if nobody else is.
          if (call.op !== 'frame') return;
          const { engine, nodeId, claimTtlMs } = this.opts;
          const host = await engine.claimMediaHost(ref, nodeId, claimTtlMs);
          if (this.#closed) this.#releaseIfOurs(ref, host);
          if (host !== nodeId || this.#closed) return this.#reply(from, ref, uid, { type: 'media_moved' });
        }
        const remote = this.#remote.get(key) ?? new Map<number, string>();
        this.#remote.set(key, remote);
        remote.set(uid, from);
        const member: MediaMember = {
          ref,
          uid,
          tag: call.op === 'frame' ? call.tag : '',
          mayPublish: call.op === 'frame' || call.op === 'role' ? call.mayPublish : false,
          send: (frame) => {
            // The member's node now (it may have moved), else the one that made the call.
            const node = this.#remote.get(key)?.get(uid) ?? from;
            this.#reply(node, ref, uid, frame);
          },
        };
        if (call.op === 'leave') remote.delete(uid);
        this.#apply(member, call);
        // A call that opened no room here (an answer with nothing to answer, a refused publish)
        // leaves no route behind: nothing else would remove it (check() looks at hosted rooms only).
        if (!this.plane.hosts(ref)) remote.delete(uid);
        if (remote.size === 0 && this.#remote.get(key) === remote) this.#remote.delete(key);
      },
      (err: unknown) => this.opts.log.warn({ err, channel: ref.channel }, 'media call failed'),
    );
  }

  /** After close(): a claim an in-flight call made for this node is released (no room will serve it). */
  #releaseIfOurs(ref: ChannelRef, host: string | undefined): void {
    if (host === this.opts.nodeId) this.#run(this.opts.engine.releaseMediaHost(ref, host));
  }

  #apply(member: MediaMember, call: MediaCall): void {
    const { ref, uid } = member;
    switch (call.op) {
      case 'frame':
        this.#run(this.plane.handle(member, call.frame));
        return;
      case 'resumed':
        this.plane.resumed(member);
        return;
      case 'role':
        this.plane.roleChanged(member);
        return;
      case 'leave':
        this.plane.leave(ref, uid);
        return;
      case 'block':
        this.plane.block(ref, uid, call.blocked);
        return;
    }
  }

  #reply(to: string, ref: ChannelRef, uid: number, frame: ServerMediaFrame): void {
    this.#publish({ kind: 'media_reply', to, ref, uid, frame });
  }

  /**
   * The host told one member to start over (a resume it does not know, a room it gave up, a claim
   * it lost). Only that member is told here: the others may have media there still. Whether the
   * channel's host changed is asked of the engine at once; if it did, every member here moves.
   */
  #movedOne(key: string, ref: ChannelRef, uid: number): void {
    const away = this.#away.get(key);
    if (!away?.uids.delete(uid)) return; // moved with the whole channel already, or gone
    this.#deliver(key, uid, { type: 'media_moved' });
    if (away.uids.size === 0) this.#away.delete(key);
    this.#run(
      this.opts.engine.mediaHost(ref).then((host) => {
        if (host !== away.host && this.#away.get(key) === away) this.#moved(key);
      }),
    );
  }

  /** The channel's host is gone or changed: this node's members there start over. */
  #moved(key: string): void {
    const away = this.#away.get(key);
    if (!away) return;
    this.#away.delete(key);
    for (const uid of away.uids) this.#deliver(key, uid, { type: 'media_moved' });
  }

  // ------------------------------------------------------------ claims and checks

  #schedule(): void {
    this.#timer = this.opts.clock.setTimeout(() => {
      void this.check().finally(() => {
        if (!this.#closed) this.#schedule();
      });
    }, this.opts.checkEveryMs);
  }

  /**
   * Renews this node's claims (a room whose claim another node now holds is given up), lets go of
   * remote members whose sessions are gone, and moves this node's members off a host that died.
   */
  async check(): Promise<void> {
    const { engine, nodeId, claimTtlMs } = this.opts;
    try {
      for (const ref of this.plane.hosted()) {
        // Rooms given up since the loop began (close(), an empty room) are not claimed again.
        if (this.#closed) return;
        if (!this.plane.hosts(ref)) continue;
        const key = channelKey(ref);
        const held = await engine.claimMediaHost(ref, nodeId, claimTtlMs);
        if (this.#closed || !this.plane.hosts(ref)) {
          this.#releaseIfOurs(ref, held);
          continue;
        }
        if (held !== nodeId) {
          this.#remote.delete(key);
          this.plane.drop(ref);
          continue;
        }
        const remote = this.#remote.get(key);
        if (!remote?.size) continue;
        const members = new Map((await engine.listMembers(ref)).map((m) => [m.uid, m]));
        for (const [uid, node] of remote) {
          const record = members.get(uid);
          if (!record) {
            remote.delete(uid);
            this.plane.leave(ref, uid);
          } else if (record.nodeId === nodeId) {
            // The session moved to this node: its own calls reach the room directly now.
            remote.delete(uid);
          } else if (record.nodeId !== node) remote.set(uid, record.nodeId);
        }
      }
      for (const [key, away] of [...this.#away]) {
        if ((await engine.mediaHost(away.ref)) !== away.host) this.#moved(key);
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'media host check failed');
    }
  }
}
