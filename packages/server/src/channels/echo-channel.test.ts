import { describe, expect, it } from 'vitest';
import { checkEchoChannel, ECHO_TEST_UID, echoChannelConflict } from './echo-channel.js';

const members = (...uids: number[]) => uids.map((uid) => ({ uid }));

describe('echoChannelConflict: an echo test’s channel is the tester’s alone', () => {
  it.each([
    ['the tester into an empty channel', ECHO_TEST_UID, members(), false],
    ['the tester taking over its own session', ECHO_TEST_UID, members(ECHO_TEST_UID), false],
    ['the tester into a channel with members', ECHO_TEST_UID, members(1), true],
    ['a member into a channel with a test', 1, members(ECHO_TEST_UID), true],
    ['uid 0 (server-assigned) into a channel with a test', 0, members(ECHO_TEST_UID), true],
    ['a member into an ordinary channel', 1, members(2, 3), false],
  ] as const)('%s: refused %s', (_what, uid, list, refused) => {
    const why = echoChannelConflict(uid, list);
    expect(why !== undefined).toBe(refused);
    if (refused) expect(why).toMatch(/echo test/);
  });
});

describe('checkEchoChannel: what a join reads', () => {
  const ref = { appId: 'demo', channel: 'room' };
  const store = (uids: number[]) => {
    const reads: string[] = [];
    const record = (uid: number) => ({ uid }) as never;
    return {
      reads,
      getMember: async (_r: unknown, uid: number) => {
        reads.push(`get ${uid}`);
        return uids.includes(uid) ? record(uid) : undefined;
      },
      listMembers: async () => {
        reads.push('list');
        return uids.map(record);
      },
    };
  };

  it('an ordinary join looks up the tester only (no member list)', async () => {
    const big = store(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await checkEchoChannel(big, ref, 5)).toBeUndefined();
    expect(big.reads).toEqual([`get ${ECHO_TEST_UID}`]);
    const testing = store([ECHO_TEST_UID]);
    expect(await checkEchoChannel(testing, ref, 5)).toMatch(/echo test is running/);
  });

  it('the tester’s join reads the member list', async () => {
    const busy = store([1, 2]);
    expect(await checkEchoChannel(busy, ref, ECHO_TEST_UID)).toMatch(/channel of its own/);
    expect(busy.reads).toEqual(['list']);
    expect(await checkEchoChannel(store([]), ref, ECHO_TEST_UID)).toBeUndefined();
  });
});
