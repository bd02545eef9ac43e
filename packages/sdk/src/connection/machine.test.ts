import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, transition } from './machine.js';
import type { ConnEvent, ConnState, Effect, MachineConfig, Reason, Status } from './types.js';

const T0 = 1_000_000;
const cfg: MachineConfig = {
  interruptedAfterMs: 4000,
  lostAfterMs: 10_000,
  failAfterMs: 1_200_000,
  connectTimeoutMs: 5000,
  policy: { nextDelayMs: ({ attempt }) => attempt * 100 },
};

const connecting: ConnState = {
  status: 'connecting',
  reason: 'connecting',
  since: T0,
  attempt: 0,
  attempting: true,
};
const connected: ConnState = { status: 'connected', reason: 'join_success', since: T0, lastDataAt: T0 };
const reconnecting: ConnState = {
  status: 'reconnecting',
  reason: 'interrupted',
  since: T0,
  attempt: 0,
  attempting: true,
};
const failed: ConnState = { status: 'failed', reason: 'join_failed' };

const stateChanges = (effects: Effect[]) =>
  effects.filter((e) => e.type === 'state').map((e) => `${e.status}/${e.reason}`);
const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.type] : []));

interface Row {
  name: string;
  from: ConnState;
  event: ConnEvent;
  at?: number;
  to: Status;
  reason?: Reason | 'initial';
  changes: string[];
  notices?: string[];
  effects?: Effect['type'][];
}

// Every row of the DESIGN §2 table (and the edges around it).
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
  {
    name: '4 s without data → Reconnecting/Interrupted',
    from: connected,
    event: { type: 'timer', timer: 'interrupt' },
    at: T0 + 4000,
    to: 'reconnecting',
    reason: 'interrupted',
    changes: ['reconnecting/interrupted'],
    notices: ['connection_interrupted'],
    effects: ['close', 'open'],
  },
  {
    name: 'transport closed → Reconnecting/Interrupted at once',
    from: connected,
    event: { type: 'transport_closed' },
    to: 'reconnecting',
    reason: 'interrupted',
    changes: ['reconnecting/interrupted'],
    notices: [],
  },
  {
    name: 'server shutdown → Reconnecting/redispatch (Agora: Interrupted, NERTC: reDispatch)',
    from: connected,
    event: { type: 'end', code: 'server_shutdown' },
    to: 'reconnecting',
    reason: 'redispatch',
    changes: ['reconnecting/redispatch'],
    effects: ['close', 'open'],
  },
  {
    name: 'rate limited → Reconnecting/Interrupted',
    from: connected,
    event: { type: 'end', code: 'rate_limited' },
    to: 'reconnecting',
    reason: 'interrupted',
    changes: ['reconnecting/interrupted'],
  },
  {
    name: 'IP changed → Reconnecting/ClientIpAddressChanged',
    from: connected,
    event: { type: 'network_changed' },
    to: 'reconnecting',
    reason: 'ip_changed',
    changes: ['reconnecting/ip_changed'],
  },
  {
    name: 'setCloudProxy while joined → Reconnecting/SettingProxyServer',
    from: connected,
    event: { type: 'set_proxy' },
    to: 'reconnecting',
    reason: 'setting_proxy',
    changes: ['reconnecting/setting_proxy'],
  },
  {
    name: 'setCloudProxy while connecting → Connecting/SettingProxyServer',
    from: connecting,
    event: { type: 'set_proxy' },
    to: 'connecting',
    reason: 'setting_proxy',
    changes: ['connecting/setting_proxy'],
  },
  {
    name: 'session timed out on server → Reconnecting/KeepAliveTimeout',
    from: connected,
    event: { type: 'end', code: 'session_expired' },
    to: 'reconnecting',
    reason: 'keepalive_timeout',
    changes: ['reconnecting/keepalive_timeout'],
    effects: ['forget_session'],
  },
  {
    name: '10 s more → Reconnecting/Lost',
    from: reconnecting,
    event: { type: 'timer', timer: 'lost' },
    at: T0 + 10_000,
    to: 'reconnecting',
    reason: 'lost',
    changes: ['reconnecting/lost'],
    notices: ['connection_lost'],
  },
  {
    name: 'lost while connecting → onConnectionLost, no state change',
    from: connecting,
    event: { type: 'timer', timer: 'lost' },
    to: 'connecting',
    reason: 'connecting',
    changes: [],
    notices: ['connection_lost'],
  },
  {
    name: 'renewToken while reconnecting → Reconnecting/RenewToken',
    from: reconnecting,
    event: { type: 'renew_token' },
    to: 'reconnecting',
    reason: 'renew_token',
    changes: ['reconnecting/renew_token'],
    effects: ['close', 'open'],
  },
  {
    name: 'renewToken after Failed/TokenExpired → Reconnecting/RenewToken, a fresh join',
    from: { status: 'failed', reason: 'token_expired' },
    event: { type: 'renew_token' },
    to: 'reconnecting',
    reason: 'renew_token',
    changes: ['reconnecting/renew_token'],
    effects: ['open'],
  },
  {
    name: 'renewToken after any other failure → no change',
    from: failed,
    event: { type: 'renew_token' },
    to: 'failed',
    reason: 'join_failed',
    changes: [],
  },
  {
    name: 'renewToken while disconnected → no change',
    from: INITIAL_STATE,
    event: { type: 'renew_token' },
    to: 'disconnected',
    changes: [],
  },
  {
    name: 'renewToken while connected → no change',
    from: connected,
    event: { type: 'renew_token' },
    to: 'connected',
    reason: 'join_success',
    changes: [],
  },
  {
    name: 'rejoin accepted → Connected/RejoinSuccess',
    from: reconnecting,
    event: { type: 'joined', resumed: true, sessionExpired: false },
    at: T0 + 1500,
    to: 'connected',
    reason: 'rejoin_success',
    changes: ['connected/rejoin_success'],
    notices: ['rejoin_success'],
  },
  {
    name: 'rejoin after the window → KeepAliveTimeout then RejoinSuccess',
    from: reconnecting,
    event: { type: 'joined', resumed: false, sessionExpired: true },
    to: 'connected',
    reason: 'rejoin_success',
    changes: ['reconnecting/keepalive_timeout', 'connected/rejoin_success'],
    notices: ['rejoin_success'],
  },
  {
    name: '20 min while reconnecting → Failed/JoinFailed',
    from: reconnecting,
    event: { type: 'timer', timer: 'fail' },
    to: 'failed',
    reason: 'join_failed',
    changes: ['failed/join_failed'],
    effects: ['close'],
  },
  {
    name: '20 min while connecting → Failed/JoinFailed',
    from: connecting,
    event: { type: 'timer', timer: 'fail' },
    to: 'failed',
    reason: 'join_failed',
    changes: ['failed/join_failed'],
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
  it.each(rows)('$name', (row) => {
    const result = transition(row.from, row.event, row.at ?? T0 + 1, cfg);
    expect(result.state.status).toBe(row.to);
    if (row.reason) expect(result.state.reason).toBe(row.reason);
    expect(stateChanges(result.effects)).toEqual(row.changes);
    if (row.notices) expect(notices(result.effects)).toEqual(row.notices);
    for (const type of row.effects ?? []) expect(result.effects.map((e) => e.type)).toContain(type);
  });

  it('leave from failed sends no leave frame', () => {
    const { effects } = transition(failed, { type: 'leave' }, T0, cfg);
    expect(effects.map((e) => e.type)).not.toContain('send_leave');
  });
});

describe('transition(): timers and retries', () => {
  it('Connecting arms attempt, lost and fail timers at exact times', () => {
    const { effects } = transition(INITIAL_STATE, { type: 'join' }, T0, cfg);
    const armed = Object.fromEntries(
      effects.flatMap((e) => (e.type === 'arm' ? [[e.timer, e.at - T0]] : [])),
    );
    expect(armed).toEqual({ attempt: 5000, lost: 10_000, fail: 1_200_000 });
  });

  it('Connected arms the interrupt timer 4 s after the join', () => {
    const { effects } = transition(
      connecting,
      { type: 'joined', resumed: false, sessionExpired: false },
      T0 + 50,
      cfg,
    );
    expect(effects).toContainEqual({ type: 'arm', timer: 'interrupt', at: T0 + 50 + 4000 });
  });

  it('the interrupt timer re-arms from the last data instead of firing early', () => {
    const s: ConnState = { ...connected, lastDataAt: T0 + 3000 };
    const r = transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 4000, cfg);
    expect(r.state.status).toBe('connected');
    expect(r.effects).toEqual([{ type: 'arm', timer: 'interrupt', at: T0 + 7000 }]);
  });

  it('interrupt fires at exactly 4000 ms of silence, not 3999', () => {
    const s: ConnState = { ...connected, lastDataAt: T0 };
    expect(transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 3999, cfg).state.status).toBe(
      'connected',
    );
    expect(transition(s, { type: 'timer', timer: 'interrupt' }, T0 + 4000, cfg).state.status).toBe(
      'reconnecting',
    );
  });

  it('a failed attempt backs off by the policy and retries on the retry timer', () => {
    const r1 = transition(reconnecting, { type: 'transport_closed' }, T0 + 10, cfg);
    expect(r1.state).toMatchObject({ status: 'reconnecting', attempt: 1, attempting: false });
    expect(r1.effects).toContainEqual({ type: 'arm', timer: 'retry', at: T0 + 10 + 100 });
    expect(stateChanges(r1.effects)).toEqual([]);
    const r2 = transition(r1.state, { type: 'timer', timer: 'retry' }, T0 + 110, cfg);
    expect(r2.state).toMatchObject({ attempting: true });
    expect(r2.effects.map((e) => e.type)).toEqual(['open', 'arm']);
  });

  it('an attempt that hangs is abandoned after connectTimeoutMs', () => {
    const r = transition(reconnecting, { type: 'timer', timer: 'attempt' }, T0 + 5000, cfg);
    expect(r.state).toMatchObject({ attempt: 1, attempting: false });
    expect(r.effects.map((e) => e.type)).toContain('close');
  });

  it('a stale attempt timer while waiting out a backoff does nothing', () => {
    const waiting: ConnState = { ...reconnecting, attempting: false, attempt: 2 };
    expect(transition(waiting, { type: 'timer', timer: 'attempt' }, T0, cfg).effects).toEqual([]);
  });

  it('the network coming back retries at once', () => {
    const waiting: ConnState = { ...reconnecting, attempting: false, attempt: 5 };
    const r = transition(waiting, { type: 'network_online' }, T0 + 1, cfg);
    expect(r.effects.map((e) => e.type)).toEqual(['close', 'open', 'arm']);
  });

  it('a policy that returns null gives up: Failed/JoinFailed', () => {
    const giveUp: MachineConfig = { ...cfg, policy: { nextDelayMs: () => null } };
    const r = transition(reconnecting, { type: 'transport_closed' }, T0, giveUp);
    expect(r.state).toEqual({ status: 'failed', reason: 'join_failed' });
  });

  it('transient server codes are retried like a dropped transport', () => {
    for (const code of ['rate_limited', 'internal_error', 'replaced'] as const) {
      const r = transition(connecting, { type: 'end', code }, T0, cfg);
      expect(r.state).toMatchObject({ status: 'connecting', attempt: 1 });
    }
  });

  it('leaving cancels every timer first', () => {
    const r = transition(reconnecting, { type: 'leave' }, T0, cfg);
    expect(r.effects[0]).toEqual({ type: 'cancel_all' });
  });

  it('is pure: the input state is not mutated', () => {
    const s: ConnState = { ...reconnecting };
    const copy = structuredClone(s);
    transition(s, { type: 'transport_closed' }, T0, cfg);
    expect(s).toEqual(copy);
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
