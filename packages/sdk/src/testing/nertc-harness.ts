import { TestClock, type WireErrorCode } from '@holdfast/protocol';
import { createNERtcEngine } from '../engine/nertc-engine.js';
import type { NERtcChannelEventCallback, NERtcOptions } from '../engine/nertc-types.js';
import type { NetworkChange } from '../transport/types.js';
import { FakeServer } from './fake-server.js';

/**
 * A NERTC engine on a FakeServer and a TestClock, recording every callback: the fixture of the
 * NERTC engine's unit tests (kept here so each test file stays one concern).
 */
export type Call = [string, ...unknown[]];
const CALLBACKS = [
  'onJoinChannel',
  'onConnectionStateChanged',
  'onReconnectingStart',
  'onReJoinChannel',
  'onDisconnect',
  'onLeaveChannel',
  'onUserJoined',
  'onUserLeave',
  'onClientRoleChange',
  'onPermissionKeyWillExpire',
  'onError',
] as const;

export function nertcHarness(options: NERtcOptions = {}) {
  const clock = new TestClock();
  const server = new FakeServer();
  const calls: Call[] = [];
  let network: ((c: NetworkChange) => void) | undefined;
  const stateHooks: Array<(state: number, reason: number) => void> = [];
  const callback = Object.fromEntries(
    CALLBACKS.map((n) => [
      n,
      (...args: unknown[]) => {
        calls.push([n, ...args]);
        if (n === 'onConnectionStateChanged')
          for (const h of stateHooks) h(args[0] as number, args[1] as number);
      },
    ]),
  ) as NERtcChannelEventCallback;
  const engine = createNERtcEngine();
  const rc = engine.create({
    appKey: 'demo',
    serverUrl: 'ws://fake',
    channelEventCallback: callback,
    options: {
      clock,
      transport: server.transport,
      reconnectPolicy: { nextDelayMs: () => 1000 },
      network: {
        subscribe: (l) => {
          network = l;
          return () => {
            network = undefined;
          };
        },
      },
      ...options,
    },
  });
  if (rc !== 0) throw new Error(`create returned ${rc}`);
  const t = {
    clock,
    server,
    engine,
    calls,
    network: (c: NetworkChange) => network?.(c),
    states: () => calls.filter((c) => c[0] === 'onConnectionStateChanged').map((c) => [c[1], c[2]]),
    named: (n: string) => calls.filter((c) => c[0] === n).map((c) => c.slice(1)),
    clear: () => calls.splice(0),
    /** Runs `hook` inside every onConnectionStateChanged, after it is recorded (re-entrancy tests). */
    onState: (hook: (state: number, reason: number) => void) => stateHooks.push(hook),
    /** Joins and gets accepted 200 ms later. */
    join: (uid = 7, channel = 'room') => {
      const joined = engine.joinChannel('', channel, uid);
      if (joined !== 0) throw new Error(`joinChannel returned ${joined}`);
      clock.advance(200);
      server.latest().accept({ members: [{ uid: 2 }] });
    },
    end: (code: WireErrorCode) => server.latest().receive({ type: 'end', code, message: code }),
  };
  return t;
}
