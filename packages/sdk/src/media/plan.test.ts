import { describe, expect, it } from 'vitest';
import {
  AGORA_MEDIA_DEFAULTS as A,
  channelReset,
  type MediaSettings,
  mediaPlan,
  NERTC_MEDIA_DEFAULTS as N,
  wantsRemote,
} from './plan.js';

const broadcaster = { inChannel: true, canPublish: true };
const audience = { inChannel: true, canPublish: false };
const outside = { inChannel: false, canPublish: true };
const s = (patch: Partial<MediaSettings>, base = A): MediaSettings => ({ ...base, ...patch });

describe('media plan: what to capture, publish and subscribe to', () => {
  it.each([
    [
      'Agora defaults (video module off)',
      A,
      broadcaster,
      { audio: true, video: false },
      { audio: 'on', video: 'off' },
    ],
    [
      'enableVideo',
      s({ videoModule: true }),
      broadcaster,
      { audio: true, video: true },
      { audio: 'on', video: 'on' },
    ],
    [
      'muteLocal*: captured, published muted',
      s({ videoModule: true, muteAudio: true, muteVideo: true }),
      broadcaster,
      { audio: true, video: true },
      { audio: 'muted', video: 'muted' },
    ],
    [
      'enableLocal*(false): nothing captured, off',
      s({ videoModule: true, localAudio: false, localVideo: false }),
      broadcaster,
      { audio: false, video: false },
      { audio: 'off', video: 'off' },
    ],
    [
      'publish*Track false',
      s({ videoModule: true, publishMic: false, publishCamera: false }),
      broadcaster,
      { audio: false, video: false },
      { audio: 'off', video: 'off' },
    ],
    [
      'disableAudio',
      s({ audioModule: false }),
      broadcaster,
      { audio: false, video: false },
      { audio: 'off', video: 'off' },
    ],
    [
      'audience: nothing published',
      s({ videoModule: true }),
      audience,
      { audio: false, video: false },
      undefined,
    ],
    [
      'preview outside a channel',
      s({ videoModule: true, preview: true }),
      outside,
      { audio: false, video: true },
      undefined,
    ],
    [
      'preview as audience: camera on, not published',
      s({ videoModule: true, preview: true }),
      audience,
      { audio: false, video: true },
      undefined,
    ],
    [
      'NERTC defaults: mic on, camera off',
      N,
      broadcaster,
      { audio: true, video: false },
      { audio: 'on', video: 'off' },
    ],
    [
      'NERTC enableLocalVideo(true)',
      s({ localVideo: true }, N),
      broadcaster,
      { audio: true, video: true },
      { audio: 'on', video: 'on' },
    ],
  ] as const)('%s', (_name, settings, ctx, capture, publish) => {
    const plan = mediaPlan(settings, ctx);
    expect(plan.capture).toEqual(capture);
    expect(plan.publish).toEqual(publish);
  });

  it('subscriptions: defaults, muteAll, per-user pauses and wants', () => {
    expect(mediaPlan(A, broadcaster).subscribe).toEqual({ audio: true, video: false });
    expect(mediaPlan(s({ videoModule: true }), audience).subscribe).toEqual({ audio: true, video: true });
    expect(mediaPlan(N, broadcaster).subscribe).toEqual({ audio: true, video: false });
    const muted = s({
      videoModule: true,
      remoteVideo: new Map([[5, false]]),
      remoteAudio: new Map([
        [9, false],
        [3, false],
      ]),
    });
    expect(mediaPlan(muted, broadcaster).subscribe).toEqual({
      audio: true,
      video: true,
      paused: [
        { uid: 3, kind: 'audio' },
        { uid: 9, kind: 'audio' },
        { uid: 5, kind: 'video' },
      ],
    });
    // muteAll then one user back: wanted against a default of false.
    const all = s({ videoModule: true, muteAllVideo: true, remoteVideo: new Map([[4, true]]) });
    expect(mediaPlan(all, broadcaster).subscribe).toEqual({
      audio: true,
      video: false,
      wanted: [{ uid: 4, kind: 'video' }],
    });
    expect(wantsRemote(all, 4, 'video')).toBe(true);
    expect(wantsRemote(all, 5, 'video')).toBe(false);
    // NERTC subscribeRemoteVideoStream(uid, true).
    const nertc = s({ remoteVideo: new Map([[8, true]]) }, N);
    expect(mediaPlan(nertc, broadcaster).subscribe).toEqual({
      audio: true,
      video: false,
      wanted: [{ uid: 8, kind: 'video' }],
    });
    expect(mediaPlan(A, outside).subscribe).toBeUndefined();
  });

  it('a module off wants nothing of its kind, whatever the per-user choices', () => {
    const off = s({ audioModule: false, remoteAudio: new Map([[4, true]]) });
    expect(wantsRemote(off, 4, 'audio')).toBe(false);
    expect(mediaPlan(off, broadcaster).subscribe).toEqual({ audio: false, video: false });
  });

  it('leaving resets the per-channel choices and keeps the engine-wide ones', () => {
    const used = s({
      videoModule: true,
      localVideo: false,
      muteAudio: true,
      muteAllVideo: true,
      remoteAudio: new Map([[1, false]]),
      preview: true,
    });
    expect(channelReset(used, A)).toEqual(s({ videoModule: true, localVideo: false, preview: true }));
  });
});
