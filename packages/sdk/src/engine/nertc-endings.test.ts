import { NERtcConnectionStateChangeReason as NR, NERtcConnectionState as NS } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import { nertcChannelId } from '../profiles/nertc.js';
import { nertcHarness as setup } from '../testing/nertc-harness.js';

// How server-side endings reach a NERTC app, and that every NERTC reason can be produced.
const CID = nertcChannelId('room');

describe('NERTC engine: server-side endings', () => {
  it.each([
    ['invalid_app_id', 417],
    ['invalid_token', 414],
    ['token_expired', 902],
    ['banned', 403],
    ['too_many_broadcasters', 4001],
    ['rejected', 30103],
    ['invalid_uid', 30103],
  ] as const)('join refused with %s → (5, requestChannelFailed 10) + onJoinChannel(%i)', (code, result) => {
    const t = setup();
    t.engine.joinChannel('', 'room', 7);
    t.clock.advance(50);
    t.server.latest().open();
    t.end(code);
    expect(t.states()).toEqual([
      [NS.connecting, NR.joinChannel],
      [NS.failed, NR.requestChannelFailed],
    ]);
    expect(t.named('onJoinChannel')).toEqual([[result, CID, 50, 7]]);
    expect(t.named('onDisconnect')).toEqual([]);
    expect(t.clock.pendingTimers()).toBe(0);
  });

  it.each([
    ['channel_closed', NR.channelClosed, 30207],
    ['banned', NR.serverKicked, 30206],
    ['same_uid_login', NR.serverKicked, 30209],
    ['token_expired', NR.serverKicked, 902],
  ] as const)('in a room, %s → (1, %i) + onDisconnect(%i)', (code, reason, disconnect) => {
    const t = setup();
    t.join();
    t.clear();
    t.end(code);
    expect(t.states()).toEqual([[NS.disconnected, reason]]);
    expect(t.named('onDisconnect')).toEqual([[disconnect]]);
    expect(t.engine.getConnectionState()).toBe(NS.disconnected);
    expect(t.engine.joinChannel('', 'room', 7)).toBe(0);
  });

  it('a rejoin refused (bad token) → (5, requestChannelFailed 10), (1, timeout 4), onDisconnect(414)', () => {
    const t = setup();
    t.join();
    t.server.latest().drop();
    t.clear();
    t.server.latest().open();
    t.end('invalid_token');
    expect(t.states()).toEqual([
      [NS.failed, NR.requestChannelFailed],
      [NS.disconnected, NR.timeout],
    ]);
    expect(t.named('onDisconnect')).toEqual([[414]]);
  });

  it('joinChannel from inside the Failed callback: the ending is still told as onDisconnect, then the new join runs', () => {
    const t = setup();
    let rc: number | undefined;
    t.join();
    const again = () => {
      rc = t.engine.joinChannel('', 'room', 7);
    };
    t.onState((state) => {
      if (state === NS.failed && rc === undefined) again();
    });
    t.server.latest().drop();
    t.clear();
    t.clock.advance(40_000);
    expect(rc).toBe(0);
    expect(t.states()).toEqual([
      [NS.failed, NR.joinChannelFailed],
      [NS.disconnected, NR.timeout],
      [NS.connecting, NR.joinChannel],
    ]);
    expect(t.named('onDisconnect')).toEqual([[30205]]);
    expect(t.named('onJoinChannel')).toEqual([]);
    t.server.latest().accept();
    expect(t.named('onJoinChannel')).toEqual([[0, CID, 0, 7]]);
  });

  it('the reason survives a lost end frame (close code only)', () => {
    const t = setup();
    t.join();
    t.clear();
    t.server.latest().drop(4207);
    expect(t.states()).toEqual([[NS.disconnected, NR.channelClosed]]);
  });
});

describe('NERTC profile coverage', () => {
  it('every NERTC reason except the reserved mediaConnectionDisconnected (8) is reachable', () => {
    const seen = new Set<unknown>();
    const run = (f: (t: ReturnType<typeof setup>) => void) => {
      const t = setup({ proxy: 'http://p:1', proxyTransport: () => (u, h) => t.server.transport(u, h) });
      f(t);
      for (const [, reason] of t.states()) seen.add(reason);
      t.engine.release();
    };
    run((t) => {
      t.join();
      t.engine.leaveChannel();
    }); // 5, 6, 1
    run((t) => {
      t.join();
      t.end('channel_closed');
    }); // 2
    run((t) => {
      t.join();
      t.end('banned');
    }); // 3
    run((t) => {
      t.join();
      t.server.latest().drop();
      t.clock.advance(40_000);
    }); // 9, 11, 4
    run((t) => {
      t.join();
      t.server.latest().drop();
      t.server.latest().accept();
    }); // 7
    run((t) => {
      t.engine.joinChannel('', 'room', 1);
      t.server.latest().open();
      t.end('invalid_app_id');
    }); // 10
    run((t) => {
      t.join();
      t.end('server_shutdown');
    }); // 12
    run((t) => {
      t.engine.setCloudProxy(1);
      t.engine.joinChannel('', 'room', 1);
    }); // 13
    const all = Object.values(NR).filter((r) => r !== NR.mediaConnectionDisconnected);
    expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(all);
    expect(seen.has(NR.mediaConnectionDisconnected)).toBe(false);
  });
});
