import { ChannelProfileType, ClientRoleType, TestClock } from '@holdfast/protocol';
import { expect } from 'vitest';
import { FakeServer } from '../testing/fake-server.js';
import type { NetworkChange } from '../transport/types.js';
import { createRtcEngine } from './rtc-engine.js';
import type { IRtcEngine, IRtcEngineEventHandler } from './types.js';

/**
 * The Agora engine's connection lifecycle on a FakeServer with an injected TestClock and network
 * monitor, recording the connection callbacks. Shared by rtc-engine-joining.test.ts,
 * rtc-engine-reconnect.test.ts, rtc-engine-endings.test.ts and rtc-engine-leave-roles.test.ts.
 */

type Call = [string, ...unknown[]];

export let clock: TestClock;
export let server: FakeServer;
export let engine: IRtcEngine;
export let calls: Call[];
export let networkListener: ((c: NetworkChange) => void) | undefined;

function recorder(): IRtcEngineEventHandler {
  const names = [
    'onConnectionStateChanged',
    'onJoinChannelSuccess',
    'onRejoinChannelSuccess',
    'onLeaveChannel',
    'onConnectionLost',
    'onConnectionInterrupted',
    'onConnectionBanned',
    'onUserJoined',
    'onUserOffline',
    'onRequestToken',
    'onError',
    'onClientRoleChanged',
    'onClientRoleChangeFailed',
    'onTokenPrivilegeWillExpire',
  ];
  return Object.fromEntries(
    names.map((n) => [
      n,
      (...args: unknown[]) => calls.push([n, ...(n === 'onError' ? args : args.slice(1))] as Call),
    ]),
  );
}

export const states = () => calls.filter((c) => c[0] === 'onConnectionStateChanged').map((c) => [c[1], c[2]]);
export const named = (name: string) => calls.filter((c) => c[0] === name);

/** The engine on a FakeServer, initialized and recording (each test's set-up). */
export function setupEngine(): void {
  clock = new TestClock();
  server = new FakeServer();
  calls = [];
  engine = createRtcEngine();
  expect(
    engine.initialize({
      appId: 'demo',
      serverUrl: 'ws://fake',
      clock,
      transport: server.transport,
      reconnectPolicy: { nextDelayMs: () => 1000 },
      network: {
        subscribe: (l) => {
          networkListener = l;
          return () => {
            networkListener = undefined;
          };
        },
      },
    }),
  ).toBe(0);
  engine.registerEventHandler(recorder());
}

/** Releases the engine (each test's tear-down). */
export function releaseEngine(): void {
  engine.release();
}

/** Forgets the callbacks recorded so far. */
export function clearCalls(): void {
  calls = [];
}

export function joinAndConnect(uid = 7) {
  expect(
    engine.joinChannel('', 'room', uid, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
    }),
  ).toBe(0);
  clock.advance(200);
  server.latest().accept({ members: [{ uid: 2 }] });
}
