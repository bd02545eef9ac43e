import type { TestClock } from '@holdfast/protocol';
import type { RtcEngineContext } from '../engine/types.js';
import type { AudioSink } from '../media/playout.js';
import { FakeMediaDevices, type FakePeers } from './fake-peer.js';
import type { FakeServer } from './fake-server.js';

/**
 * The context for `initialize` that puts an engine on a {@link FakeServer} and a test clock: app
 * `demo`, no network watcher, and — with `peers` — media on {@link FakePeers} and
 * {@link FakeMediaDevices} (remote audio played through `audioSink`, default none). `extra` overrides or
 * adds options.
 */
export function fakeEngineContext(
  server: FakeServer,
  clock: TestClock,
  options: {
    peers?: FakePeers;
    devices?: FakeMediaDevices;
    audioSink?: AudioSink | null;
    extra?: Partial<RtcEngineContext>;
  } = {},
): RtcEngineContext {
  const { peers, devices, audioSink = null, extra } = options;
  return {
    appId: 'demo',
    serverUrl: 'ws://fake',
    clock,
    transport: server.transport,
    network: null,
    ...(peers
      ? {
          media: {
            RTCPeerConnection: peers.ctor,
            mediaDevices: devices ?? new FakeMediaDevices(),
            audioSink,
          },
        }
      : {}),
    ...extra,
  };
}
