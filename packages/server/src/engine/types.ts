import type { ChannelEvent, WireProfile, WireRole } from '@holdfast/protocol';

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

/** A message on the engine bus: a channel event to fan out, or a session to end on its node. */
export type BusMessage =
  | { kind: 'channel_event'; ref: ChannelRef; event: ChannelEvent }
  | {
      kind: 'end_session';
      sessionId: string;
      nodeId: string;
      code: 'same_uid_login' | 'banned' | 'channel_closed';
    };

/**
 * Where shared state lives: channels, members, roles, sessions, and fan-out of
 * channel events between server nodes. The gateway and channel logic only talk
 * to this interface; the in-memory engine is the embedded default and a Redis
 * engine implements the same contract for several nodes.
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

  putSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  deleteSession(id: string): Promise<void>;

  /** Sends a message to every node (this one included). */
  publish(message: BusMessage): Promise<void>;
  /** Receives every bus message; returns a disposer. */
  subscribe(listener: (message: BusMessage) => void): () => void;

  close(): Promise<void>;
}
