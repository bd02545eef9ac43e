import { ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clock,
  engine,
  joinAndConnect,
  named,
  releaseEngine,
  server,
  setupEngine,
  states,
} from './rtc-engine.test-support.js';

// The Agora engine (set-up: rtc-engine.test-support.ts): the server ending a join or a session.

beforeEach(setupEngine);
afterEach(releaseEngine);

describe('server-side endings', () => {
  it.each([
    ['invalid_app_id', S.ConnectionStateFailed, R.ConnectionChangedInvalidAppId],
    ['invalid_channel_name', S.ConnectionStateFailed, R.ConnectionChangedInvalidChannelName],
    ['invalid_token', S.ConnectionStateDisconnected, R.ConnectionChangedInvalidToken],
    ['token_expired', S.ConnectionStateFailed, R.ConnectionChangedTokenExpired],
    ['rejected', S.ConnectionStateFailed, R.ConnectionChangedRejectedByServer],
    ['banned', S.ConnectionStateFailed, R.ConnectionChangedBannedByServer],
  ] as const)('join refused with %s', (code, state, reason) => {
    engine.joinChannel('', 'room', 1, {});
    server.latest().open().receive({ type: 'end', code, message: 'no' });
    expect(states().at(-1)).toEqual([state, reason]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the older of two sessions with one uid → Failed/SameUidLogin', () => {
    joinAndConnect();
    server.latest().receive({ type: 'end', code: 'same_uid_login', message: 'x' }).drop(4209);
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedSameUidLogin]);
  });

  it('the reason survives a lost end frame: the close code alone carries it', () => {
    joinAndConnect();
    server.latest().drop(4123);
    expect(states().at(-1)).toEqual([S.ConnectionStateFailed, R.ConnectionChangedBannedByServer]);
    expect(named('onConnectionBanned')).toHaveLength(1);
  });
});
