import type { TrackLike } from './peer.js';

/** Something that plays a remote audio track (the browser: an `<audio>` element per track). */
export interface AudioSink {
  play(uid: number, track: TrackLike): void;
  stop(uid: number): void;
}

/**
 * Browsers only play a remote WebRTC audio track through a media element: one detached
 * `<audio>` per remote user. Where there is no document (Node), audio is received and not played.
 */
export function browserAudioSink(): AudioSink | undefined {
  const doc = (globalThis as { document?: Document }).document;
  const Stream = (globalThis as { MediaStream?: new (tracks: TrackLike[]) => MediaStream }).MediaStream;
  if (!doc || !Stream) return undefined;
  const elements = new Map<number, { el: HTMLAudioElement; track: TrackLike }>();
  return {
    play(uid, track) {
      const old = elements.get(uid);
      if (old?.track === track) return;
      const el = old?.el ?? doc.createElement('audio');
      el.autoplay = true;
      el.srcObject = new Stream([track]);
      el.play().catch(() => {});
      elements.set(uid, { el, track });
    },
    stop(uid) {
      const old = elements.get(uid);
      if (!old) return;
      old.el.srcObject = null;
      elements.delete(uid);
    },
  };
}
