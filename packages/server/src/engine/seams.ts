import type { ChannelEvent, StreamAck, StreamMessageEvent, WireRole } from '@holdfast/protocol';
import type {
  BusMessage,
  ChannelRef,
  ChannelSummary,
  KickingRule,
  MemberRecord,
  SequencedEvent,
  SessionRecord,
} from './types.js';

/**
 * The engine's seams, one concern each. A backend implements all four (see {@link Engine}); code
 * that needs one concern takes only that interface. Each has one contract test suite
 * (`contract/*.ts`) that runs against every backend. Every method is async so a networked
 * backend fits, and each write is atomic on its own.
 */

/** Why an admission was refused: the uid is held (a fresh pick only) or the broadcaster seats are full. */
export type AdmitRefusal = 'uid_taken' | 'too_many_broadcasters';
export type AdmitResult = { ok: true; previous?: MemberRecord } | { ok: false; reason: AdmitRefusal };
export type RoleResult =
  | { ok: true; member: MemberRecord }
  | { ok: false; reason: 'not_member' | 'too_many_broadcasters' };

/**
 * A data-stream message offered to the channel's log: numbered and published, or dropped as one the
 * log already holds (the sender's `(uid, epoch)` has taken `sseq` or a later one), or nobody left.
 */
export type StreamPublishResult =
  | { ok: true; seq: number }
  | { ok: false; reason: 'duplicate'; last: number }
  | { ok: false; reason: 'no_channel' };

/** How long a sender's stream acks outlive its last message (a re-join after the offline window still finds them). */
export const STREAM_ACK_TTL_MS = 10 * 60_000;

/** Members, atomic admission, and each channel's numbered event log. */
export interface ChannelStore {
  /**
   * Puts `member` into the channel under its uid in one atomic step that also checks the
   * broadcaster limit: a broadcaster is admitted only while fewer than `maxBroadcasters` other
   * uids hold the broadcaster role. With `fresh`, a uid already held is refused (`uid_taken`, for
   * uid picking); otherwise its holder is replaced and returned (the caller ends it: same-uid login).
   */
  admitMember(
    ref: ChannelRef,
    member: MemberRecord,
    opts: { maxBroadcasters: number; fresh?: boolean },
  ): Promise<AdmitResult>;
  /** Removes the member if `sessionId` still holds the uid; returns the removed record. */
  removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined>;
  /** Changes a member's role, checking the broadcaster limit in the same atomic step. */
  setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
    maxBroadcasters: number,
  ): Promise<RoleResult>;
  getMember(ref: ChannelRef, uid: number): Promise<MemberRecord | undefined>;
  listMembers(ref: ChannelRef): Promise<MemberRecord[]>;
  listChannels(appId: string): Promise<ChannelSummary[]>;
  /** Appends an event to the channel's log under the next seq and fans it out to every watching node. */
  publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<number>;
  /**
   * Appends a data-stream message like `publishEvent`, in the same atomic step as the sender's
   * duplicate check: `event.sseq` must be above the last one taken for `(event.uid, event.epoch)`.
   */
  publishStream(ref: ChannelRef, event: StreamMessageEvent): Promise<StreamPublishResult>;
  /** The last sseq taken on each of `uid`'s streams in the channel (kept {@link STREAM_ACK_TTL_MS}). */
  streamAcks(ref: ChannelRef, uid: number): Promise<StreamAck[]>;
  /** Events after `seq`, oldest first; undefined when the log no longer reaches back that far. */
  eventsSince(ref: ChannelRef, seq: number): Promise<SequencedEvent[] | undefined>;
  /** Makes the channel's next seq greater than `seq` (after a reset, so seqs never go backwards for clients). */
  raiseSeq(ref: ChannelRef, seq: number): Promise<void>;
  /** The members and the seq of the last event already reflected in them, read together. */
  snapshot(ref: ChannelRef): Promise<{ members: MemberRecord[]; seq: number }>;
}

/** Sessions (what a client resumes), node liveness, offline deadlines and orphan claims. */
export interface SessionStore {
  putSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Deletes the session and its deadline. */
  deleteSession(id: string): Promise<void>;
  /** Says `nodeId` is alive for `ttlMs` more; returns the engine's clock (ms) so nodes share one time. */
  heartbeat(nodeId: string, ttlMs: number): Promise<number>;
  /** The node is going away on purpose: its sessions become orphans as soon as their deadlines pass. */
  forgetNode(nodeId: string): Promise<void>;
  /** Records when each session's offline window ends, in engine time (sessions that exist only). */
  setDeadlines(entries: Array<{ sessionId: string; deadline: number }>): Promise<void>;
  /**
   * The published deadline (engine time) of each of `ids` that has one: what any node knows of
   * a session another node holds (its last data is the deadline less its offline window).
   */
  deadlinesOf(ids: readonly string[]): Promise<Map<string, number>>;
  /**
   * Sessions whose deadline has passed (engine time `now`) and whose node is not alive:
   * claimed atomically, so exactly one node announces each as dropped.
   */
  claimOrphans(now: number, limit: number): Promise<SessionRecord[]>;
}

/**
 * Which node hosts each channel's media (its SFU room), as LiveKit pins a room to a node. A claim
 * holds for `ttlMs` and the host renews it while it serves the room; when the host dies the claim
 * lapses and the next node to ask takes it.
 */
export interface MediaHostStore {
  /**
   * Makes `nodeId` the channel's media host unless another node holds it; renews the claim when
   * `nodeId` already holds it. Returns the host after the call (atomic).
   */
  claimMediaHost(ref: ChannelRef, nodeId: string, ttlMs: number): Promise<string>;
  /** The channel's media host now, if any node holds it. */
  mediaHost(ref: ChannelRef): Promise<string | undefined>;
  /** Lets go of the claim if `nodeId` holds it (its room closed, or the node drains). */
  releaseMediaHost(ref: ChannelRef, nodeId: string): Promise<void>;
}

/** Kicking rules. */
export interface RuleStore {
  /** Stores a new rule (id 0 → assigns the next id) or replaces one; returns it. Kick-once rules are not stored. */
  putRule(rule: KickingRule): Promise<KickingRule>;
  listRules(appId: string): Promise<KickingRule[]>;
  deleteRule(appId: string, id: number): Promise<boolean>;
}

/** Messages between nodes, channel watches, and the engine's own resets. */
export interface EngineBus {
  /**
   * This node wants `ref`'s channel events (one call per local session of the channel; resolves
   * once they are being received, so a snapshot taken afterwards misses nothing). Engines that
   * deliver every event everywhere (memory) may do nothing.
   */
  watchChannel(ref: ChannelRef): Promise<void>;
  /** One of this node's sessions of `ref` is gone; after the last, its events may stop coming. */
  unwatchChannel(ref: ChannelRef): Promise<void>;
  /** Sends a message to every node (this one included). */
  publish(message: BusMessage): Promise<void>;
  /** Receives every bus message (channel events only for watched channels); returns a disposer. */
  subscribe(listener: (message: BusMessage) => void): () => void;
  /** Fires when shared state was lost (e.g. Redis restarted empty): nodes re-assert what they hold. */
  onReset(listener: () => void): () => void;
}

/**
 * Where shared state lives. The in-memory engine is the embedded default (and, shared by several
 * servers, an in-process cluster); the Redis engine implements the same contract across processes.
 */
export interface Engine extends ChannelStore, SessionStore, RuleStore, EngineBus, MediaHostStore {
  close(): Promise<void>;
}
