import { TestClock } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING, exponentialBackoff } from '../connection/policy.js';
import type { Effect } from '../connection/types.js';
import { FakeServer } from '../testing/fake-server.js';
import { ChannelSession } from './channel-session.js';
import { type EffectPorts, runEffect } from './effect-runner.js';
import type { SessionListener } from './session-types.js';

/** Ports that record each call as `name(args)`. */
function recordingPorts(): { ports: EffectPorts; calls: string[] } {
  const calls: string[] = [];
  const ports = new Proxy({} as EffectPorts, {
    get:
      (_t, name) =>
      (...args: unknown[]) =>
        calls.push(`${String(name)}(${args.map((a) => JSON.stringify(a)).join(',')})`),
  });
  return { ports, calls };
}

describe('runEffect', () => {
  const rows: [Effect, string[]][] = [
    [{ type: 'state', status: 'connected', reason: 'join_success' }, ['state("connected","join_success")']],
    [{ type: 'notify', notice: { type: 'left' } }, ['notice({"type":"left"})']],
    [{ type: 'open' }, ['open()']],
    [{ type: 'close' }, ['close()']],
    [{ type: 'send_join' }, ['sendJoin()']],
    [{ type: 'send_leave' }, ['sendLeave()']],
    [{ type: 'forget_session' }, ['forgetSession()']],
    [{ type: 'arm', timer: 'lost', at: 5 }, ['arm("lost",5)']],
    // Leaving a state flushes the pinger too, not only the machine's named timers.
    [{ type: 'cancel_all' }, ['cancelTimers()', 'stopPinger()']],
    [
      { type: 'when_settled', status: 'connected', effects: [{ type: 'start_pinger' }] },
      ['defer("connected",[{"type":"start_pinger"}])'],
    ],
    [{ type: 'sync_members', resumed: true }, ['syncMembers(true)']],
    [{ type: 'start_pinger' }, ['startPinger()']],
    [{ type: 'watch_token' }, ['watchToken()']],
    [{ type: 'restore_role' }, ['restoreRole()']],
  ];
  it.each(rows)('%j → %j', (effect, expected) => {
    const { ports, calls } = recordingPorts();
    runEffect(effect, ports);
    expect(calls).toEqual(expected);
  });
});

describe('ChannelSession post-join effects', () => {
  function setup(onNotice: (session: ChannelSession, type: string) => void = () => {}) {
    const clock = new TestClock();
    const server = new FakeServer();
    const calls: string[] = [];
    const listener: SessionListener = {
      state: (status, reason) => calls.push(`state ${status}/${reason}`),
      notice: (n) => {
        calls.push(`notice ${n.type}`);
        onNotice(session, n.type);
      },
      userJoined: (uid) => calls.push(`joined ${uid}`),
      userOffline: (uid) => calls.push(`offline ${uid}`),
      roleChanged: () => calls.push('roleChanged'),
      roleChangeFailed: () => calls.push('roleChangeFailed'),
      tokenResult: () => calls.push('tokenResult'),
      tokenExpiresAt: (at) => calls.push(`tokenExpiresAt ${at}`),
      streamMessage: (uid, streamId) => calls.push(`stream ${uid}/${streamId}`),
      streamError: (uid, streamId, code) => calls.push(`streamError ${uid}/${streamId}/${code}`),
      dataState: (uid, enabled) => calls.push(`data ${uid} ${enabled}`),
    };
    const session = new ChannelSession(
      {
        appId: 'a',
        serverUrls: ['ws://fake'],
        clock,
        transport: server.transport,
        config: { ...DEFAULT_TIMING, policy: exponentialBackoff() },
      },
      listener,
    );
    session.join({ channel: 'c', uid: 1, token: undefined, role: 'broadcaster', profile: 'live' });
    return { clock, server, calls, session };
  }
  const joinedFrame = { members: [{ uid: 7, role: 'broadcaster' as const }], tokenExpiresAt: 99_000 };

  it('runs after the join notice, in order: members, pinger, token expiry', () => {
    const { clock, server, calls } = setup();
    server.latest().accept(joinedFrame);
    expect(calls.slice(-3)).toEqual(['notice join_success', 'joined 7', 'tokenExpiresAt 99000']);
    clock.advance(1500);
    expect(server.latest().sent.filter((f) => f.type === 'ping')).toHaveLength(1);
  });

  it('a leave called from the join notice wins: no members told, no pinger left running', () => {
    const { clock, server, calls } = setup((session, type) => {
      if (type === 'join_success') session.leave();
    });
    server.latest().accept(joinedFrame);
    expect(calls).not.toContain('joined 7');
    expect(calls).not.toContain('tokenExpiresAt 99000');
    expect(calls.at(-1)).toBe('notice left');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('the pinger stops when Connected is left, with every machine timer', () => {
    const { clock, server, session } = setup();
    server.latest().accept(joinedFrame);
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    session.leave();
    expect(clock.pendingTimers()).toBe(0);
  });
});
