import { describe, expect, it } from 'vitest';
import { ECHO_TEST_UID, echoChannelConflict } from './echo-channel.js';

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
