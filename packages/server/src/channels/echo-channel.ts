import { MAX_UID } from '@holdfast/protocol';
import type { ChannelStore } from '../engine/seams.js';
import type { ChannelRef } from '../engine/types.js';

/** The uid Agora's echo test joins as (its token must be for 0xFFFFFFFF). */
export const ECHO_TEST_UID = MAX_UID;

/**
 * An echo test's channel is the tester's alone: a join as uid 0xFFFFFFFF into a channel with
 * other members, or any other uid into a channel that holds 0xFFFFFFFF, is refused (`rejected`,
 * which the SDKs tell as (Failed, RejectedByServer)). The uid's own takeover is allowed, as for
 * any uid. Returns why it is refused, or undefined.
 */
export function echoChannelConflict(
  uid: number,
  members: ReadonlyArray<{ uid: number }>,
): string | undefined {
  if (uid === ECHO_TEST_UID) {
    if (members.some((m) => m.uid !== ECHO_TEST_UID))
      return 'an echo test (uid 4294967295) needs a channel of its own: this one has members';
    return undefined;
  }
  if (members.some((m) => m.uid === ECHO_TEST_UID))
    return 'an echo test is running in this channel (uid 4294967295): wait until it ends';
  return undefined;
}

/**
 * The check as a join makes it: one member lookup (is the tester there?) for an ordinary join,
 * the member list only for the tester's own (rare) join — a join into a big channel stays O(1).
 */
export async function checkEchoChannel(
  engine: Pick<ChannelStore, 'getMember' | 'listMembers'>,
  ref: ChannelRef,
  uid: number,
): Promise<string | undefined> {
  if (uid === ECHO_TEST_UID) return echoChannelConflict(uid, await engine.listMembers(ref));
  const tester = await engine.getMember(ref, ECHO_TEST_UID);
  return echoChannelConflict(uid, tester ? [tester] : []);
}
