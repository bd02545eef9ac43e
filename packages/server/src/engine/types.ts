import type { ChannelEvent, WireProfile, WireRole } from '@holdfast/protocol';

/** A channel event with its place in the channel's log. */
export interface SequencedEvent {
  seq: number;
  event: ChannelEvent;
}

/** A channel within an app. */
export interface ChannelRef {
  appId: string;
  channel: string;
}

export const channelKey = (ref: ChannelRef): string => `${ref.appId}\u0000${ref.channel}`;

/** One member of a channel: the uid, the session holding it, and how it is seen. */
export interface MemberRecord {
  uid: number;
  sessionId: string;
  role: WireRole;
  profile: WireProfile;
  joinedAt: number;
  /** The server node whose process holds the session's live state. */
  nodeId: string;
}

/** A member is announced to others in communication profile, or as a broadcaster. */
export const isAnnounced = (m: Pick<MemberRecord, 'role' | 'profile'>): boolean =>
  m.profile === 'communication' || m.role === 'broadcaster';

/** A session outlives its transports: it is what a reconnecting client resumes. */
export interface SessionRecord {
  id: string;
  appId: string;
  channel: string;
  uid: number;
  nodeId: string;
  createdAt: number;
}

export interface ChannelSummary {
  channel: string;
  userCount: number;
  broadcasterCount: number;
}

/**
 * A kicking rule (the commercial channel-management REST shape): who may not join, until when.
 * At least one of cname / uid / ip is set.
 */
export interface KickingRule {
  id: number;
  appId: string;
  cname?: string;
  uid?: number;
  ip?: string;
  privileges: string[];
  /** Unix ms. */
  createdAt: number;
  updatedAt: number;
  /** Unix ms after which the rule no longer applies; equal to createdAt for a kick-once rule (time 0). */
  expiresAt: number;
}

/** Whether `rule` bars this member now. A kick-once rule (never stored) matches only when it is applied. */
export function ruleMatches(
  rule: KickingRule,
  who: { appId: string; channel: string; uid: number; ip: string },
  now: number,
): boolean {
  if (rule.appId !== who.appId) return false;
  if (rule.cname !== undefined && rule.cname !== who.channel) return false;
  if (rule.uid !== undefined && rule.uid !== who.uid) return false;
  if (rule.ip !== undefined && rule.ip !== who.ip) return false;
  return rule.expiresAt > now || rule.expiresAt === rule.createdAt;
}

/** A message on the engine bus: a channel event to fan out, or work for whichever node holds a session. */
export type BusMessage =
  | { kind: 'channel_event'; ref: ChannelRef; seq: number; event: ChannelEvent }
  | {
      kind: 'end_session';
      sessionId: string;
      nodeId: string;
      code: 'same_uid_login' | 'banned' | 'channel_closed' | 'session_expired';
    }
  /** A new or updated kicking rule: every node ends its matching sessions. */
  | { kind: 'kick'; rule: KickingRule }
  /** The operator closed a channel: every node ends its sessions in it. */
  | { kind: 'close_channel'; ref: ChannelRef }
  /** A session was resumed on `nodeId`; any other node holding it lets go quietly. */
  | { kind: 'session_moved'; sessionId: string; nodeId: string };

/**
 * Where shared state lives: channels, members, roles, sessions, and fan-out of
 * channel events between server nodes. The gateway and channel logic only talk
 * to this interface; the in-memory engine is the embedded default and a Redis
 * engine implements the same contract for several nodes.
 *
 * Every method is async so that a networked implementation fits; membership
 * changes are atomic per channel.
 */
/** How many events a channel's log keeps for resumes; older gaps fall back to a member snapshot. */
export const EVENT_LOG_LIMIT = 1024;

/**
 * Where shared state lives: channels, members, roles, sessions, kicking rules,
 * each channel's event log, cross-node liveness, and fan-out between nodes. The
 * gateway and channel logic only talk to this interface; the in-memory engine
 * is the embedded default (and, shared by several servers, an in-process
 * cluster), and the Redis engine implements the same contract across processes.
 *
 * Every method is async so that a networked implementation fits; membership
 * changes are atomic per channel.
 */
export interface Engine {
  /**
   * Puts `member` into the channel under its uid. If another session held that uid, it is
   * replaced and returned (the caller ends it: same-uid login).
   */
  claimUid(ref: ChannelRef, member: MemberRecord): Promise<{ previous?: MemberRecord }>;
  /** Picks a free uid in [1, 2^32-1] and claims it. */
  claimFreeUid(ref: ChannelRef, member: Omit<MemberRecord, 'uid'>, random: () => number): Promise<number>;
  /** Removes the member if `sessionId` still holds the uid; returns the removed record. */
  removeMember(ref: ChannelRef, uid: number, sessionId: string): Promise<MemberRecord | undefined>;
  /** Changes a member's role; returns the updated record, or undefined when the session no longer holds it. */
  setMemberRole(
    ref: ChannelRef,
    uid: number,
    sessionId: string,
    role: WireRole,
  ): Promise<MemberRecord | undefined>;
  getMember(ref: ChannelRef, uid: number): Promise<MemberRecord | undefined>;
  listMembers(ref: ChannelRef): Promise<MemberRecord[]>;
  listChannels(appId: string): Promise<ChannelSummary[]>;

  /** Appends an event to the channel's log under the next seq and fans it out to every node. */
  publishEvent(ref: ChannelRef, event: ChannelEvent): Promise<number>;
  /** Events after `seq`, oldest first; undefined when the log no longer reaches back that far. */
  eventsSince(ref: ChannelRef, seq: number): Promise<SequencedEvent[] | undefined>;
  /** Makes the channel's next seq greater than `seq` (after a reset, so seqs never go backwards for clients). */
  raiseSeq(ref: ChannelRef, seq: number): Promise<void>;
  /** The members and the seq of the last event already reflected in them, read together. */
  snapshot(ref: ChannelRef): Promise<{ members: MemberRecord[]; seq: number }>;

  /** Stores a new rule (id 0 → assigns the next id) or replaces one; returns it. Kick-once rules are not stored. */
  putRule(rule: KickingRule): Promise<KickingRule>;
  listRules(appId: string): Promise<KickingRule[]>;
  deleteRule(appId: string, id: number): Promise<boolean>;

  putSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  deleteSession(id: string): Promise<void>;

  /** Says `nodeId` is alive for `ttlMs` more; returns the engine's clock (ms) so nodes share one time. */
  heartbeat(nodeId: string, ttlMs: number): Promise<number>;
  /** The node is going away on purpose: its sessions become orphans as soon as their deadlines pass. */
  forgetNode(nodeId: string): Promise<void>;
  /** Records when each session's offline window ends, in engine time. */
  setDeadlines(entries: Array<{ sessionId: string; deadline: number }>): Promise<void>;
  clearDeadline(sessionId: string): Promise<void>;
  /**
   * Sessions whose deadline has passed (engine time `now`) and whose node is not alive:
   * claimed atomically, so exactly one node announces each as dropped.
   */
  claimOrphans(now: number, limit: number): Promise<SessionRecord[]>;

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

  close(): Promise<void>;
}
