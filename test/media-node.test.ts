import { ClientRoleType, type IRtcEngine, RemoteAudioState, RemoteVideoState } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrtcEngine } from './support/wrtc-devices.js';

/**
 * The SDK's media in Node through its peer-connection seam: `@roamhq/wrtc` (a root devDependency,
 * not an SDK dependency) passed as `media.RTCPeerConnection`, and a getUserMedia of synthetic
 * sources (wrtc's RTCAudioSource / RTCVideoSource fed on timers). Two Node engines, one real server.
 */
let server: RunningServer;
const timers: NodeJS.Timeout[] = [];
const engines: IRtcEngine[] = [];

function nodeEngine(uid: number, events: Array<[string, ...unknown[]]>): IRtcEngine {
  const engine = wrtcEngine(server.url, timers, engines);
  engine.registerEventHandler({
    onRemoteVideoStateChanged: (_c, remote, state, reason) => events.push(['video', remote, state, reason]),
    onRemoteAudioStateChanged: (_c, remote, state, reason) => events.push(['audio', remote, state, reason]),
    onRemoteVideoStats: (_c, stats) => events.push(['videoStats', stats]),
  });
  engine.joinChannel('', 'node-media', uid, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
  return engine;
}

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
});
afterAll(async () => {
  for (const e of engines) e.release();
  for (const t of timers) clearInterval(t);
  await server?.close();
});

describe('media in Node through @roamhq/wrtc', () => {
  it('two Node engines publish synthetic audio and video; each decodes the other', async () => {
    const a: Array<[string, ...unknown[]]> = [];
    const b: Array<[string, ...unknown[]]> = [];
    nodeEngine(1, a);
    nodeEngine(2, b);
    const decoding = (list: typeof a, kind: string, uid: number, state: number) =>
      list.some((e) => e[0] === kind && e[1] === uid && e[2] === state);
    const deadline = Date.now() + 20_000;
    while (
      !(
        decoding(a, 'video', 2, RemoteVideoState.RemoteVideoStateDecoding) &&
        decoding(b, 'video', 1, RemoteVideoState.RemoteVideoStateDecoding) &&
        decoding(a, 'audio', 2, RemoteAudioState.RemoteAudioStateDecoding) &&
        decoding(b, 'audio', 1, RemoteAudioState.RemoteAudioStateDecoding)
      )
    ) {
      if (Date.now() > deadline) throw new Error(`not decoding: ${JSON.stringify({ a, b })}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The 2 s stats come from wrtc's getStats too.
    while (!b.some((e) => e[0] === 'videoStats' && (e[1] as { width?: number }).width === 320)) {
      if (Date.now() > deadline)
        throw new Error(`no video stats: ${JSON.stringify(b.filter((e) => e[0] === 'videoStats'))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(b.find((e) => e[0] === 'video' && e[1] === 1)?.[2]).toBe(
      RemoteVideoState.RemoteVideoStateStarting,
    );
  }, 40_000);
});
