import type { Clock } from '@holdfast/protocol';
import type { Logger } from 'pino';
import type { LocalSessions } from '../channels/local-sessions.js';
import type { ChannelRef, Engine } from '../engine/types.js';
import type { MediaPlane } from './media-plane.js';

export interface MediaRouterOptions {
  nodeId: string;
  engine: Engine;
  local: LocalSessions;
  clock: Clock;
  log: Logger;
  /** How long a host's claim holds unless renewed (the node liveness rule: 3 heartbeats). */
  claimTtlMs: number;
  /** How often this node renews its claims and checks the hosts of its members' channels. */
  checkEveryMs: number;
}

/** What the router needs of the node's SFU (a {@link MediaPlane}; a recording stand-in in unit tests). */
export type MediaPlaneLike = Pick<
  MediaPlane,
  | 'rooms'
  | 'hosted'
  | 'hosts'
  | 'knows'
  | 'handle'
  | 'resumed'
  | 'roleChanged'
  | 'leave'
  | 'block'
  | 'drop'
  | 'close'
>;

/** A channel whose media another node hosts while members of this node take part. */
export interface Away {
  ref: ChannelRef;
  host: string;
  uids: Set<number>;
}
