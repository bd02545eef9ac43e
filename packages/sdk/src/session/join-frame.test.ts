import type { JoinedFrame } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { joinFrame, ticketAfter } from './join-frame.js';
import type { JoinParams } from './session-types.js';

const joined = (over: Partial<JoinedFrame>): JoinedFrame => ({
  type: 'joined',
  sessionId: 's1',
  uid: 7,
  channel: 'room',
  role: 'broadcaster',
  resumed: false,
  members: [],
  seq: 0,
  keepaliveMs: 5000,
  offlineAfterMs: 20_000,
  serverTime: 0,
  ...over,
});
const params: JoinParams = {
  channel: 'room',
  uid: 7,
  token: undefined,
  role: 'broadcaster',
  profile: 'communication',
};

describe('resume tickets (issue 16)', () => {
  it('a fresh joined gives the ticket; a resumed one (no secret) keeps it; a new session replaces it', () => {
    const first = ticketAfter(undefined, joined({ resumeSecret: 'k1' }));
    expect(first).toEqual({ sessionId: 's1', secret: 'k1' });
    expect(ticketAfter(first, joined({ resumed: true }))).toBe(first);
    expect(ticketAfter(first, joined({ sessionId: 's2', sessionExpired: true, resumeSecret: 'k2' }))).toEqual(
      {
        sessionId: 's2',
        secret: 'k2',
      },
    );
  });

  it('no secret for a new session: nothing to resume with (the next connection joins afresh)', () => {
    expect(ticketAfter(undefined, joined({}))).toBeUndefined();
    expect(ticketAfter({ sessionId: 's0', secret: 'k0' }, joined({}))).toBeUndefined();
  });

  it('the join frame carries the ticket and the last seq as `resume`, and nothing without one', () => {
    expect(joinFrame('demo', params, 7, { sessionId: 's1', secret: 'k1' }, 12).resume).toEqual({
      sessionId: 's1',
      secret: 'k1',
      lastSeq: 12,
      media: false,
    });
    expect(joinFrame('demo', params, 7, undefined, 12)).not.toHaveProperty('resume');
  });

  it('a resume says whether the client holds media connections (the server skips the media work without)', () => {
    const ticket = { sessionId: 's1', secret: 'k1' };
    expect(joinFrame('demo', params, 7, ticket, 12, true).resume?.media).toBe(true);
    expect(joinFrame('demo', params, 7, ticket, 12, false).resume?.media).toBe(false);
  });
});
