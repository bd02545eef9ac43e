import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, transition } from './machine.js';
import {
  cfg,
  checkRow,
  connected,
  connecting,
  failed,
  type Row,
  reconnecting,
  T0,
} from './machine.test-support.js';

// The DESIGN §2 table (set-up: machine.test-support.ts): joining, leaving and what a join leaves
// behind. The server's endings are in machine-endings.test.ts, losing and regaining the
// connection in machine-reconnect.test.ts, the timers in machine-timers.test.ts.
const rows: Row[] = [
  {
    name: 'join → Connecting/Connecting',
    from: INITIAL_STATE,
    event: { type: 'join' },
    to: 'connecting',
    reason: 'connecting',
    changes: ['connecting/connecting'],
    effects: ['open'],
  },
  {
    name: 'join through a proxy → Connecting/SettingProxyServer',
    from: INITIAL_STATE,
    event: { type: 'join', viaProxy: true },
    to: 'connecting',
    reason: 'setting_proxy',
    changes: ['connecting/setting_proxy'],
    effects: ['open'],
  },
  {
    name: 'server accepts → Connected/JoinSuccess',
    from: connecting,
    event: { type: 'joined', resumed: false, sessionExpired: false },
    at: T0 + 200,
    to: 'connected',
    reason: 'join_success',
    changes: ['connected/join_success'],
    notices: ['join_success'],
  },
  {
    name: 'leave while connected → Disconnected/LeaveChannel',
    from: connected,
    event: { type: 'leave' },
    to: 'disconnected',
    reason: 'leave',
    changes: ['disconnected/leave'],
    notices: ['left'],
    effects: ['send_leave', 'close'],
  },
  {
    name: 'leave while reconnecting → Disconnected/LeaveChannel',
    from: reconnecting,
    event: { type: 'leave' },
    to: 'disconnected',
    reason: 'leave',
    changes: ['disconnected/leave'],
    notices: ['left'],
  },
  {
    name: 'leave while failed → Disconnected/LeaveChannel, nothing sent',
    from: failed,
    event: { type: 'leave' },
    to: 'disconnected',
    reason: 'leave',
    changes: ['disconnected/leave'],
    notices: ['left'],
  },
  {
    name: 'leave while disconnected → nothing',
    from: INITIAL_STATE,
    event: { type: 'leave' },
    to: 'disconnected',
    reason: 'initial',
    changes: [],
  },
  {
    name: 'data while connected → stays, no effects',
    from: connected,
    event: { type: 'data' },
    to: 'connected',
    reason: 'join_success',
    changes: [],
  },
  {
    name: 'stale join result while connected is ignored',
    from: connected,
    event: { type: 'joined', resumed: false, sessionExpired: false },
    to: 'connected',
    reason: 'join_success',
    changes: [],
  },
];

describe('transition(): DESIGN §2 table', () => {
  it.each(rows)('$name', checkRow);

  it('leave from failed sends no leave frame', () => {
    const { effects } = transition(failed, { type: 'leave' }, T0, cfg);
    expect(effects.map((e) => e.type)).not.toContain('send_leave');
  });
});

describe('post-join work is data', () => {
  it.each([
    [connecting, false],
    [reconnecting, true],
  ])(
    'joined from %j (resumed %s) ends with one when_settled: members, pinger, token expiry, role',
    (from, resumed) => {
      const r = transition(from, { type: 'joined', resumed, sessionExpired: false }, T0 + 10, cfg);
      expect(r.effects.at(-1)).toEqual({
        type: 'when_settled',
        status: 'connected',
        effects: [
          { type: 'sync_members', resumed },
          { type: 'start_pinger' },
          { type: 'watch_token' },
          { type: 'restore_role' },
        ],
      });
    },
  );
});
