import type { WireRole } from '@holdfast/protocol';
import type { ChannelRef, MemberRecord } from '../engine/types.js';
import type { EndCause } from '../session/end-causes.js';

/**
 * Membership facts, told by the one node that made each happen (its engine step was atomic, so
 * exactly one node tells each): a uid entered a channel, left it, changed role. Called on the
 * channel path without awaiting anything: an implementation must return at once and never throw
 * (webhooks/ queues them for delivery).
 */
export interface MemberHooks {
  /** `member` took a uid nobody held in the channel (a fresh join; not a same-uid takeover). */
  joined(ref: ChannelRef, member: MemberRecord): void;
  /** This node removed `member` from the channel; `cause` is how its session ended. */
  left(ref: ChannelRef, member: MemberRecord, cause: EndCause): void;
  /** The member's role changed from `previous` to `member.role`. */
  roleChanged(ref: ChannelRef, member: MemberRecord, previous: WireRole): void;
}
