/**
 * Test helpers for apps built on Holdfast: a simulated clock, and the pure
 * connection state machine so handlers can be tested without a server.
 */
export { TestClock } from '@holdfast/protocol';
export { INITIAL_STATE, type Transition, transition } from './connection/machine.js';
export type {
  ConnEvent,
  ConnState,
  Effect,
  MachineConfig,
  Notice,
  Reason,
  Status,
  TimerName,
} from './connection/types.js';
export { fakeEngineContext } from './testing/fake-context.js';
export { FakeMediaDevices, FakePeerConnection, FakePeers, FakeTrack, fakeSdp } from './testing/fake-peer.js';
export { FakeConnection, FakeServer } from './testing/fake-server.js';
