import type { WireErrorCode } from '@holdfast/protocol';
import type { ConnEvent, ConnState, Effect, MachineConfig, Notice, Reason, Status } from './types.js';

/** Result of one transition: the next state and the effects to execute, in order. */
export interface Transition {
  state: ConnState;
  effects: Effect[];
}

export const INITIAL_STATE: ConnState = { status: 'disconnected', reason: 'initial' };

/**
 * How a server-given code ends a session. `retry` codes are transient: the
 * client keeps trying as if the transport had dropped.
 */
type Ending =
  | { kind: 'terminal'; status: 'failed' | 'disconnected'; reason: Reason; notice?: Notice }
  | { kind: 'keepalive_timeout' }
  | { kind: 'retry'; reason: Reason };

function ending(code: WireErrorCode): Ending {
  const err = (status: 'failed' | 'disconnected', reason: Reason): Ending => ({
    kind: 'terminal',
    status,
    reason,
    notice: { type: 'error', code },
  });
  switch (code) {
    case 'invalid_app_id':
      return err('failed', 'invalid_app_id');
    case 'invalid_channel_name':
      return err('failed', 'invalid_channel_name');
    // The seed's table lists InvalidToken under Disconnected.
    case 'invalid_token':
      return err('disconnected', 'invalid_token');
    case 'token_expired':
      return {
        kind: 'terminal',
        status: 'failed',
        reason: 'token_expired',
        notice: { type: 'request_token' },
      };
    case 'banned':
      return { kind: 'terminal', status: 'failed', reason: 'banned', notice: { type: 'banned' } };
    case 'channel_closed':
      return { kind: 'terminal', status: 'failed', reason: 'channel_closed', notice: { type: 'banned' } };
    case 'same_uid_login':
      return err('failed', 'same_uid_login');
    case 'too_many_broadcasters':
      return err('failed', 'too_many_broadcasters');
    case 'session_expired':
      return { kind: 'keepalive_timeout' };
    case 'server_shutdown':
      // The server is going away and tells its clients to go elsewhere (NERTC: reDispatch).
      return { kind: 'retry', reason: 'redispatch' };
    case 'rate_limited':
    case 'internal_error':
    case 'replaced':
      return { kind: 'retry', reason: 'interrupted' };
    default:
      // invalid_uid, rejected, malformed/unknown/oversize frames, unexpected frames, versions.
      return err('failed', 'rejected');
  }
}

const stateEffect = (status: Status, reason: Reason): Effect => ({ type: 'state', status, reason });
const notify = (notice: Notice): Effect => ({ type: 'notify', notice });

/** Starts a fresh transport attempt toward Connecting/Reconnecting, arming every clock. */
function beginTrying(
  status: 'connecting' | 'reconnecting',
  reason: Reason,
  now: number,
  cfg: MachineConfig,
  extra: Effect[] = [],
): Transition {
  return {
    state: { status, reason, since: now, attempt: 0, attempting: true },
    effects: [
      { type: 'cancel_all' },
      { type: 'close' },
      stateEffect(status, reason),
      ...extra,
      { type: 'open' },
      { type: 'arm', timer: 'attempt', at: now + cfg.connectTimeoutMs },
      { type: 'arm', timer: 'lost', at: now + cfg.lostAfterMs },
      { type: 'arm', timer: 'fail', at: now + cfg.failAfterMs },
    ],
  };
}

function terminal(status: 'failed' | 'disconnected', reason: Reason, extra: Effect[] = []): Transition {
  return {
    state: (status === 'failed' ? { status, reason } : { status, reason }) as ConnState,
    effects: [
      { type: 'cancel_all' },
      { type: 'close' },
      { type: 'forget_session' },
      stateEffect(status, reason),
      ...extra,
    ],
  };
}

type Trying = Extract<ConnState, { status: 'connecting' | 'reconnecting' }>;

/** A transport attempt failed: back off, or give up when the policy says so. */
function attemptFailed(s: Trying, now: number, cfg: MachineConfig): Transition {
  const attempt = s.attempt + 1;
  const delay = cfg.policy.nextDelayMs({ attempt, elapsedMs: now - s.since, reason: s.reason });
  if (delay === null) return terminal('failed', 'join_failed');
  return {
    state: { ...s, attempt, attempting: false },
    effects: [{ type: 'close' }, { type: 'arm', timer: 'retry', at: now + Math.max(0, delay) }],
  };
}

/** Abandons any attempt in flight and starts a new one now (network back, new token, new proxy). */
function retryNow(s: Trying, now: number, cfg: MachineConfig, before: Effect[] = []): Transition {
  return {
    state: { ...s, attempting: true },
    effects: [
      ...before,
      { type: 'close' },
      { type: 'open' },
      { type: 'arm', timer: 'attempt', at: now + cfg.connectTimeoutMs },
    ],
  };
}

function applyEnding(state: ConnState, code: WireErrorCode, now: number, cfg: MachineConfig): Transition {
  const e = ending(code);
  if (e.kind === 'terminal') return terminal(e.status, e.reason, e.notice ? [notify(e.notice)] : []);
  if (e.kind === 'keepalive_timeout') {
    if (state.status === 'reconnecting')
      return retryNow(state, now, cfg, [
        { type: 'forget_session' },
        stateEffect('reconnecting', 'keepalive_timeout'),
      ]);
    if (state.status === 'connecting') return attemptFailed(state, now, cfg);
    return beginTrying('reconnecting', 'keepalive_timeout', now, cfg, [{ type: 'forget_session' }]);
  }
  if (state.status === 'connected') return beginTrying('reconnecting', e.reason, now, cfg);
  if (state.status === 'connecting' || state.status === 'reconnecting') return attemptFailed(state, now, cfg);
  return { state, effects: [] };
}

const same = (state: ConnState): Transition => ({ state, effects: [] });

/**
 * The connection state machine: a pure function of (state, event, now, config).
 * No sockets, no timers: effects are data for the driver. Every row of the
 * DESIGN §2 table is one branch here.
 */
export function transition(state: ConnState, event: ConnEvent, now: number, cfg: MachineConfig): Transition {
  if (event.type === 'leave') {
    if (state.status === 'disconnected') return same(state);
    // A failed session is already over on the server; there is nobody to tell.
    const tellServer: Effect[] = state.status === 'failed' ? [] : [{ type: 'send_leave' }];
    return {
      state: { status: 'disconnected', reason: 'leave' },
      // The state change comes before the leave frame so its report can still reach the server.
      effects: [
        { type: 'cancel_all' },
        stateEffect('disconnected', 'leave'),
        ...tellServer,
        { type: 'close' },
        { type: 'forget_session' },
        notify({ type: 'left' }),
      ],
    };
  }

  switch (state.status) {
    case 'disconnected':
    case 'failed':
      if (event.type === 'join')
        return beginTrying('connecting', event.viaProxy ? 'setting_proxy' : 'connecting', now, cfg);
      // onRequestToken's documented remedy: a new token rejoins by itself (Reconnecting/RenewToken).
      if (event.type === 'renew_token' && state.status === 'failed' && state.reason === 'token_expired')
        return beginTrying('reconnecting', 'renew_token', now, cfg);
      return same(state);

    case 'connecting':
    case 'reconnecting': {
      switch (event.type) {
        case 'transport_open':
          return { state, effects: [{ type: 'send_join' }] };
        case 'joined': {
          const reconnect = state.status === 'reconnecting';
          const effects: Effect[] = [{ type: 'cancel_all' }];
          if (reconnect && event.sessionExpired && state.reason !== 'keepalive_timeout')
            effects.push(stateEffect('reconnecting', 'keepalive_timeout'));
          const reason: Reason = reconnect ? 'rejoin_success' : 'join_success';
          effects.push(stateEffect('connected', reason));
          effects.push(
            notify({ type: reconnect ? 'rejoin_success' : 'join_success', elapsed: now - state.since }),
          );
          effects.push({ type: 'arm', timer: 'interrupt', at: now + cfg.interruptedAfterMs });
          effects.push({
            type: 'when_settled',
            status: 'connected',
            effects: [
              { type: 'sync_members', resumed: event.resumed },
              { type: 'start_pinger' },
              { type: 'watch_token' },
              { type: 'restore_role' },
            ],
          });
          return { state: { status: 'connected', reason, since: now, lastDataAt: now }, effects };
        }
        case 'transport_closed':
          return event.code ? applyEnding(state, event.code, now, cfg) : attemptFailed(state, now, cfg);
        case 'end':
          return applyEnding(state, event.code, now, cfg);
        case 'timer':
          switch (event.timer) {
            case 'attempt':
              return state.attempting ? attemptFailed(state, now, cfg) : same(state);
            case 'retry':
              return {
                state: { ...state, attempting: true },
                effects: [
                  { type: 'open' },
                  { type: 'arm', timer: 'attempt', at: now + cfg.connectTimeoutMs },
                ],
              };
            case 'lost':
              // Connecting: onConnectionLost without a state change (no connection 10 s after joinChannel).
              if (state.status === 'connecting')
                return { state, effects: [notify({ type: 'connection_lost' })] };
              return {
                state: { ...state, reason: 'lost' },
                effects: [stateEffect('reconnecting', 'lost'), notify({ type: 'connection_lost' })],
              };
            case 'fail':
              return terminal('failed', 'join_failed');
            default:
              return same(state);
          }
        case 'network_online':
          return retryNow(state, now, cfg);
        case 'network_changed':
          return retryNow(state, now, cfg);
        case 'renew_token':
          if (state.status !== 'reconnecting') return same(state);
          return retryNow({ ...state, reason: 'renew_token' }, now, cfg, [
            stateEffect('reconnecting', 'renew_token'),
          ]);
        case 'set_proxy': {
          const status = state.status;
          return retryNow({ ...state, reason: 'setting_proxy' }, now, cfg, [
            stateEffect(status, 'setting_proxy'),
          ]);
        }
        default:
          return same(state);
      }
    }

    case 'connected':
      switch (event.type) {
        case 'data':
          return { state: { ...state, lastDataAt: now }, effects: [] };
        case 'timer':
          if (event.timer !== 'interrupt') return same(state);
          if (now - state.lastDataAt >= cfg.interruptedAfterMs)
            return beginTrying('reconnecting', 'interrupted', now, cfg, [
              notify({ type: 'connection_interrupted' }),
            ]);
          return {
            state,
            effects: [{ type: 'arm', timer: 'interrupt', at: state.lastDataAt + cfg.interruptedAfterMs }],
          };
        case 'transport_closed':
          return event.code
            ? applyEnding(state, event.code, now, cfg)
            : beginTrying('reconnecting', 'interrupted', now, cfg);
        case 'end':
          return applyEnding(state, event.code, now, cfg);
        case 'network_changed':
          return beginTrying('reconnecting', 'ip_changed', now, cfg);
        case 'set_proxy':
          return beginTrying('reconnecting', 'setting_proxy', now, cfg);
        default:
          return same(state);
      }
  }
}
