import { createRequire } from 'node:module';
import {
  createRtcEngine,
  type IRtcEngine,
  type MediaDevicesLike,
  type PeerConstructor,
  type TrackLike,
} from '@holdfast/sdk';

/**
 * WebRTC in Node for tests: `@roamhq/wrtc` (a root devDependency, not an SDK dependency) and a
 * getUserMedia of synthetic sources fed on timers — a microphone playing a 440 Hz tone and a camera
 * showing a grey 320×240 picture at 15 fps.
 */
const require = createRequire(import.meta.url);
type Wrtc = {
  RTCPeerConnection: PeerConstructor;
  nonstandard: {
    RTCAudioSource: new () => { createTrack(): TrackLike; onData(d: unknown): void };
    RTCVideoSource: new () => { createTrack(): TrackLike; onFrame(f: unknown): void };
  };
};
export const wrtc = require('@roamhq/wrtc') as Wrtc;

/** Synthetic devices; their timers go into `timers` (clear them after the test). */
export function syntheticDevices(timers: NodeJS.Timeout[]): MediaDevicesLike {
  return {
    async getUserMedia(c) {
      if (c.audio) {
        const source = new wrtc.nonstandard.RTCAudioSource();
        let n = 0;
        timers.push(
          setInterval(() => {
            const samples = new Int16Array(480);
            for (let i = 0; i < 480; i++)
              samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * n++) / 48000));
            source.onData({
              samples,
              sampleRate: 48000,
              bitsPerSample: 16,
              channelCount: 1,
              numberOfFrames: 480,
            });
          }, 10),
        );
        const track = source.createTrack();
        return { getTracks: () => [track] };
      }
      const source = new wrtc.nonstandard.RTCVideoSource();
      const width = 320;
      const height = 240;
      let shade = 0;
      timers.push(
        setInterval(() => {
          const data = new Uint8ClampedArray(width * height * 1.5).fill(128);
          shade = (shade + 4) % 256;
          data.fill(shade, 0, width * height);
          source.onFrame({ width, height, data });
        }, 66),
      );
      const track = source.createTrack();
      return { getTracks: () => [track] };
    },
  };
}

/**
 * An Agora-shaped engine with media in Node (wrtc, synthetic devices), video enabled, for
 * `serverUrl`; it goes into `engines` (release them after the test), its device timers into `timers`.
 */
export function wrtcEngine(
  serverUrl: string | string[],
  timers: NodeJS.Timeout[],
  engines: IRtcEngine[],
): IRtcEngine {
  const engine = createRtcEngine();
  engines.push(engine);
  engine.initialize({
    appId: 'demo',
    serverUrl,
    network: null,
    media: { RTCPeerConnection: wrtc.RTCPeerConnection, mediaDevices: syntheticDevices(timers) },
  });
  engine.enableVideo();
  return engine;
}
