import type { JoinedFrame, JoinFrame } from '@holdfast/protocol';
import { pingIntervalFor } from '../config.js';
import {
  type ChannelRef,
  channelKey,
  isAnnounced,
  type MemberRecord,
  type SessionRecord,
} from '../engine/types.js';
import { END_CAUSES } from '../session/end-causes.js';
import { noteTakeover } from '../session/flap.js';
import { admitMember, UNLIMITED } from './admission.js';
import { checkEchoChannel } from './echo-channel.js';
import { type Attachment, LiveSession } from './live-session.js';
import type { ChannelService } from './service.js';
import {
  hashResumeSecret,
  newResumeSecret,
  newSessionId,
  resumeSecretMatches,
  sessionTag,
} from './session-id.js';

/**
 * The steps of a fresh join, a resume and a takeover, each a claim the session machine records
 * (`held`). Any step that throws ends the session with `engine_failed`, which undoes exactly what
 * was held and tells the client; a session that ended meanwhile (kicked, closed) stops the flow.
 */
export class JoinFlow {
  constructor(private readonly svc: ChannelService) {}

  async fresh(
    frame: JoinFrame,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
    sessionExpired: boolean,
  ): Promise<LiveSession | undefined> {
    const { engine, opts } = this.svc;
    const now = opts.clock.now();
    const id = newSessionId();
    const base = {
      sessionId: id,
      role: frame.role,
      profile: frame.profile,
      joinedAt: now,
      nodeId: opts.nodeId,
    };
    // The uid claim and the broadcaster limit are one atomic engine step: N racing joins into K
    // free seats admit exactly K, on one node or many.
    let admitted: Awaited<ReturnType<typeof admitMember>>;
    try {
      // Checked before the claim, not in it: two joins racing into an empty channel may both pass.
      const conflict = await checkEchoChannel(engine, ref, frame.uid);
      if (conflict) {
        conn.end('rejected', conflict);
        return undefined;
      }
      admitted = await admitMember(
        engine,
        ref,
        { ...base, uid: frame.uid },
        {
          maxBroadcasters: opts.maxBroadcasters,
          random: opts.random ?? Math.random,
        },
      );
    } catch (err) {
      opts.log.warn({ err }, 'join: admission failed');
      const row = END_CAUSES.engine_failed;
      conn.end(row.code!, row.message(0));
      return undefined;
    }
    if (!admitted.ok) {
      conn.end('too_many_broadcasters', `channel already has ${opts.maxBroadcasters} broadcasters`);
      return undefined;
    }
    const { uid, previous } = admitted;
    if (!previous) opts.hooks?.joined(ref, { ...base, uid });
    const live = this.#session(id, ref, uid, conn, {
      role: frame.role,
      profile: frame.profile,
      tokenExpiresAt,
      now,
      // The others see the uid already when the device that held it would have been announced (read
      // from its member record: a holder that failed before its own announcement is taken as seen).
      visible: previous !== undefined && isAnnounced(previous),
    });
    // The secret goes to this client alone, in its `joined` frame; the engine keeps its hash.
    const resumeSecret = newResumeSecret();
    live.secretHash = hashResumeSecret(resumeSecret);
    const ok = await this.#steps(live, async () => {
      await engine.putSession({
        id,
        appId: ref.appId,
        channel: ref.channel,
        uid,
        nodeId: opts.nodeId,
        createdAt: now,
        secretHash: live.secretHash,
      });
      if (!(await this.svc.held(live, 'session'))) return false;
      this.svc.local.add(live);
      if (!(await this.svc.held(live, 'local'))) return false;
      // Receiving the channel's events before the snapshot: nothing falls between the two.
      await engine.watchChannel(ref);
      if (!(await this.svc.held(live, 'watch'))) return false;
      live.hold();
      if (previous) await this.#replace(previous);
      const { members, seq } = await engine.snapshot(ref);
      const streamAcks = await engine.streamAcks(ref, uid);
      // A client back after its window sends again what the server never took: allow for it.
      if (sessionExpired) this.svc.streams.grant(live, live.offlineAfterMs);
      conn.send(
        this.joinedFrame(live, members, seq, {
          resumeSecret,
          resumed: false,
          ...(sessionExpired ? { sessionExpired } : {}),
          ...(streamAcks.length ? { streamAcks } : {}),
        }),
      );
      // The members hear of the newcomer right after its answer (on one node the fan-out writes to
      // them now, not at the end of the turn). Not before: at 1,000 joins/s into channels of 10,
      // nine writes ahead of every `joined` put join p50 from 0.6 to 0.75 ms and p99 from 13-15 to
      // 17-20 (probes, 4 Dec). Awaited after the attach, so a Redis round trip does not hold it up.
      const announced = this.svc.dispatch(live, { type: 'announce' });
      announced.catch(() => {}); // awaited below; a throw in between must not leave it unhandled
      await this.svc.dispatch(live, {
        type: 'attached',
        attachment: conn.attachmentId,
        remote: conn.remoteAddress,
        resumed: false,
        sessionExpired,
      });
      live.release(seq);
      await announced;
      opts.log.debug({ session: live.tag, uid, channel: ref.channel, sessionExpired }, 'joined');
      return true;
    });
    return ok ? live : undefined;
  }

  /** Resumes a session this node holds, or takes one over from another node; 'expired' when none is left. */
  async resume(
    frame: JoinFrame,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
  ): Promise<LiveSession | 'expired' | undefined> {
    const { sessionId, secret, lastSeq } = frame.resume!;
    const { engine, opts } = this.svc;
    let live = this.svc.local.get(sessionId);
    if (!live) {
      const record = await engine.getSession(sessionId);
      if (!record) return 'expired';
      if (!this.#matches(record, ref, frame.uid)) return this.#reject(conn);
      if (!resumeSecretMatches(record.secretHash, secret)) return this.#refuseSecret(conn, record.id);
      const taken = await this.#takeOver(record, ref, conn, tokenExpiresAt);
      if (taken === 'expired' || !taken) return taken;
      live = taken;
    } else if (!this.#matches({ ...live.ref, uid: live.uid }, ref, frame.uid)) return this.#reject(conn);
    else if (!resumeSecretMatches(live.secretHash, secret)) return this.#refuseSecret(conn, live.id);
    const session = live;
    // What the client sends again after the outage is not held against its stream limits.
    this.svc.streams.grant(
      session,
      session.state.phase === 'detached' || session.state.phase === 'attached'
        ? opts.clock.now() - session.lastSeenAt
        : session.offlineAfterMs,
    );
    session.transports.set(conn.attachmentId, conn);
    await this.svc.dispatch(session, {
      type: 'attaching',
      attachment: conn.attachmentId,
      ...(tokenExpiresAt !== undefined ? { tokenExpiresAt } : {}),
    });
    session.remote = conn.remoteAddress;
    const ok = await this.#steps(session, async () => {
      session.hold();
      const { members, seq } = await engine.snapshot(ref);
      const log = await engine.eventsSince(ref, lastSeq);
      const streamAcks = await engine.streamAcks(ref, session.uid);
      const missed = log
        ?.filter((e) => e.seq <= seq && e.event.uid !== session.uid)
        .map((e) => ({ type: 'event' as const, seq: e.seq, event: e.event }));
      conn.send(
        this.joinedFrame(session, members, seq, {
          resumed: true,
          ...(missed ? { missed } : {}),
          ...(streamAcks.length ? { streamAcks } : {}),
        }),
      );
      await this.svc.dispatch(session, {
        type: 'attached',
        attachment: conn.attachmentId,
        remote: conn.remoteAddress,
        resumed: true,
      });
      session.release(seq);
      // A client without media connections says so (`media: false`): nothing to re-offer or move.
      if (frame.resume!.media !== false) this.svc.media?.resumed(session);
      opts.log.debug(
        { session: session.tag, uid: session.uid, channel: ref.channel, lastSeq },
        'session resumed',
      );
      return true;
    });
    return ok ? session : undefined;
  }

  /** A session held by another node (gone, or its client moved): this node takes it over. */
  async #takeOver(
    record: SessionRecord,
    ref: ChannelRef,
    conn: Attachment,
    tokenExpiresAt: number | undefined,
  ): Promise<LiveSession | 'expired' | undefined> {
    const { engine, opts } = this.svc;
    const member = await engine.getMember(ref, record.uid);
    if (!member || member.sessionId !== record.id) return 'expired';
    // The member already holds its seat: re-admitting it under this node cannot be refused.
    await engine.admitMember(ref, { ...member, nodeId: opts.nodeId }, { maxBroadcasters: UNLIMITED });
    // Two sockets taking the session from each other across nodes: the record counts the takeovers.
    const now = opts.clock.now();
    const { recent, flapping } = noteTakeover(record.takeovers, now);
    // The session record exists already (the other node's): from here this node answers for it.
    const live = this.#session(record.id, ref, record.uid, conn, {
      role: member.role,
      profile: member.profile,
      tokenExpiresAt,
      now,
      session: true,
      takeovers: recent,
      visible: isAnnounced(member),
    });
    live.secretHash = record.secretHash;
    const ok = await this.#steps(live, async () => {
      await engine.putSession({ ...record, nodeId: opts.nodeId, takeovers: recent });
      await engine.publish({
        kind: 'session_moved',
        sessionId: record.id,
        nodeId: opts.nodeId,
        ...(flapping ? { lost: 'same_uid_login' as const } : {}),
      });
      this.svc.local.add(live);
      if (!(await this.svc.held(live, 'local'))) return false;
      await engine.watchChannel(ref);
      if (!(await this.svc.held(live, 'watch'))) return false;
      opts.log.info({ session: live.tag, from: record.nodeId }, 'session taken over from another node');
      return true;
    });
    return ok ? live : undefined;
  }

  /** Same uid from another device: the older session ends; remote members see no flap. */
  async #replace(previous: MemberRecord): Promise<void> {
    await this.svc.engine.deleteSession(previous.sessionId);
    await this.svc.engine.publish({
      kind: 'end_session',
      sessionId: previous.sessionId,
      nodeId: previous.nodeId,
      code: 'same_uid_login',
    });
  }

  /** Runs `steps`; any throw ends the session as `engine_failed` (undoing what it held). */
  async #steps(live: LiveSession, steps: () => Promise<boolean>): Promise<boolean> {
    try {
      return (await steps()) && live.state.phase !== 'ended';
    } catch (err) {
      this.svc.opts.log.warn({ err, session: live.tag }, 'join step failed');
      await this.svc.dispatch(live, { type: 'end', cause: 'engine_failed' });
      return false;
    }
  }

  #session(
    id: string,
    ref: ChannelRef,
    uid: number,
    conn: Attachment,
    s: {
      role: JoinFrame['role'];
      profile: JoinFrame['profile'];
      tokenExpiresAt: number | undefined;
      now: number;
      session?: boolean;
      takeovers?: number[];
      visible: boolean;
    },
  ): LiveSession {
    const offlineAfterMs = this.svc.apps.get(ref.appId)?.offlineAfterMs ?? this.svc.opts.offlineAfterMs;
    const live = new LiveSession(id, ref, channelKey(ref), uid, {
      now: s.now,
      attachment: conn.attachmentId,
      role: s.role,
      profile: s.profile,
      offlineAfterMs,
      tokenExpiresAt: s.tokenExpiresAt,
      holds: { member: true, session: s.session ?? false },
      visible: s.visible,
      ...(s.takeovers ? { takeovers: s.takeovers } : {}),
    });
    live.transports.set(conn.attachmentId, conn);
    live.remote = conn.remoteAddress;
    return live;
  }

  #matches(s: { appId: string; channel: string; uid: number }, ref: ChannelRef, uid: number): boolean {
    return s.appId === ref.appId && s.channel === ref.channel && s.uid === uid;
  }

  #reject(conn: Attachment): undefined {
    conn.end('rejected', 'that session belongs to another channel or uid');
    return undefined;
  }

  /**
   * A resume without the session's secret: refused, and the session is not touched (its transport
   * stays attached). Not a fresh join either: a client that wants the uid joins without `resume`.
   */
  #refuseSecret(conn: Attachment, sessionId: string): undefined {
    this.svc.opts.log.info(
      { session: sessionTag(sessionId), remote: conn.remoteAddress },
      'resume refused: wrong resume secret',
    );
    conn.end('rejected', 'resume refused: the resume secret does not match that session');
    return undefined;
  }

  joinedFrame(
    live: LiveSession,
    members: MemberRecord[],
    seq: number,
    extra: Pick<JoinedFrame, 'resumeSecret' | 'resumed' | 'sessionExpired' | 'missed' | 'streamAcks'>,
  ): JoinedFrame {
    const { opts } = this.svc;
    return {
      type: 'joined',
      sessionId: live.id,
      uid: live.uid,
      channel: live.ref.channel,
      role: live.role,
      members: members.filter((m) => m.uid !== live.uid && isAnnounced(m)).map((m) => ({ uid: m.uid })),
      seq,
      keepaliveMs: pingIntervalFor(opts.timing, live.offlineAfterMs),
      offlineAfterMs: live.offlineAfterMs,
      ...(live.tokenExpiresAt !== undefined ? { tokenExpiresAt: live.tokenExpiresAt } : {}),
      serverTime: opts.clock.now(),
      ...extra,
    };
  }
}
