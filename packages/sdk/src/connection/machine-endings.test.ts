import { describe, it } from 'vitest';
import { checkRow, connected, connecting, type Row, reconnecting } from './machine.test-support.js';

// The DESIGN §2 table (set-up: machine.test-support.ts): the server ending a join or a session
// (an `end` frame, or its close code alone).
const rows: Row[] = [
  {
    name: 'bad app id → Failed/InvalidAppId',
    from: connecting,
    event: { type: 'end', code: 'invalid_app_id' },
    to: 'failed',
    reason: 'invalid_app_id',
    changes: ['failed/invalid_app_id'],
    notices: ['error'],
  },
  {
    name: 'bad channel name → Failed/InvalidChannelName',
    from: connecting,
    event: { type: 'end', code: 'invalid_channel_name' },
    to: 'failed',
    reason: 'invalid_channel_name',
    changes: ['failed/invalid_channel_name'],
    notices: ['error'],
  },
  {
    name: 'bad token → Disconnected/InvalidToken',
    from: connecting,
    event: { type: 'end', code: 'invalid_token' },
    to: 'disconnected',
    reason: 'invalid_token',
    changes: ['disconnected/invalid_token'],
    notices: ['error'],
  },
  {
    name: 'token expired while connecting → Failed/TokenExpired',
    from: connecting,
    event: { type: 'end', code: 'token_expired' },
    to: 'failed',
    reason: 'token_expired',
    changes: ['failed/token_expired'],
    notices: ['request_token'],
  },
  {
    name: 'token expired while connected → Failed/TokenExpired',
    from: connected,
    event: { type: 'end', code: 'token_expired' },
    to: 'failed',
    reason: 'token_expired',
    changes: ['failed/token_expired'],
    notices: ['request_token'],
  },
  {
    name: 'banned while connected → Failed/BannedByServer',
    from: connected,
    event: { type: 'end', code: 'banned' },
    to: 'failed',
    reason: 'banned',
    changes: ['failed/banned'],
    notices: ['banned'],
  },
  {
    name: 'banned while reconnecting → Failed/BannedByServer',
    from: reconnecting,
    event: { type: 'end', code: 'banned' },
    to: 'failed',
    reason: 'banned',
    changes: ['failed/banned'],
    notices: ['banned'],
  },
  {
    name: 'banned via close code only → Failed/BannedByServer',
    from: connected,
    event: { type: 'transport_closed', code: 'banned' },
    to: 'failed',
    reason: 'banned',
    changes: ['failed/banned'],
    notices: ['banned'],
  },
  {
    name: 'server rejects join → Failed/RejectedByServer',
    from: connecting,
    event: { type: 'end', code: 'rejected' },
    to: 'failed',
    reason: 'rejected',
    changes: ['failed/rejected'],
    notices: ['error'],
  },
  {
    name: 'older same-uid session → Failed/SameUidLogin',
    from: connected,
    event: { type: 'end', code: 'same_uid_login' },
    to: 'failed',
    reason: 'same_uid_login',
    changes: ['failed/same_uid_login'],
    notices: ['error'],
  },
  {
    name: 'channel closed → Failed (channel_closed)',
    from: connected,
    event: { type: 'end', code: 'channel_closed' },
    to: 'failed',
    reason: 'channel_closed',
    changes: ['failed/channel_closed'],
    notices: ['banned'],
  },
  {
    name: 'too many broadcasters → Failed/TooManyBroadcasters',
    from: connecting,
    event: { type: 'end', code: 'too_many_broadcasters' },
    to: 'failed',
    reason: 'too_many_broadcasters',
    changes: ['failed/too_many_broadcasters'],
    notices: ['error'],
  },
];

describe('transition(): DESIGN §2 table', () => {
  it.each(rows)('$name', checkRow);
});
