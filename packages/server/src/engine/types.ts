import type {
  ChannelEvent,
  ClientMediaFrame,
  ServerMediaFrame,
  WireProfile,
  WireRole,
} from '@holdfast/protocol';

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
  /**
   * SHA-256 (base64url) of the resume secret the client got in its `joined` frame: a resume on any
   * node must present the secret. The secret itself is never stored.
   */
  secretHash: string;
  /**
   * When (unix ms, the taking node's clock) the session was last taken over from another node
   * within the same-uid flap window: how a node that takes it over tells a ping-pong between two
   * sockets from a client that moved (see session/flap.ts).
   */
  takeovers?: number[];
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
      /** same_uid_login: a newer session holds the uid; session_expired: another node dropped it as an orphan. */
      code: 'same_uid_login' | 'session_expired';
    }
  /** A new or updated kicking rule: every node ends its matching sessions. */
  | { kind: 'kick'; rule: KickingRule }
  /** The operator closed a channel: every node ends its sessions in it. */
  | { kind: 'close_channel'; ref: ChannelRef }
  /**
   * A session was resumed on `nodeId`; any other node holding it lets go quietly. `lost`: it was
   * taken over too often (session/flap.ts), and the transport there is ended with `same_uid_login`.
   */
  | { kind: 'session_moved'; sessionId: string; nodeId: string; lost?: 'same_uid_login' }
  /** A member's media signalling, from the node holding its session to its channel's media host. */
  | { kind: 'media_call'; to: string; from: string; ref: ChannelRef; uid: number; call: MediaCall }
  /** The media host's reply to a member whose session another node holds. */
  | { kind: 'media_reply'; to: string; ref: ChannelRef; uid: number; frame: ServerMediaFrame };

/**
 * What a member's node asks of the channel's media host (see media/router.ts). The member's node
 * decides what the member may do (`mayPublish`: its profile and role); the host trusts it.
 */
export type MediaCall =
  | { op: 'frame'; frame: ClientMediaFrame; mayPublish: boolean; tag: string }
  | { op: 'resumed' }
  | { op: 'role'; mayPublish: boolean }
  | { op: 'leave' }
  | { op: 'block'; blocked: boolean };

/**
 * How many events a channel's log keeps for resumes; older gaps fall back to a member snapshot.
 * Data-stream messages are events too: 2,048 hold 34 s of one sender at the 60 msg/s limit, and at
 * most ~3 MB of stream messages (the whole log is replayed in one `joined` frame, limit 4 MB).
 */
export const EVENT_LOG_LIMIT = 2048;

export type {
  AdmitResult,
  ChannelStore,
  Engine,
  EngineBus,
  MediaHostStore,
  RoleResult,
  RuleStore,
  SessionStore,
  StreamPublishResult,
} from './seams.js';
