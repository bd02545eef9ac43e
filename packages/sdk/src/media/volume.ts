import type { AudioVolumeInfo } from '../engine/types.js';

/** Speech is louder than this (0..255) for the local voice-activity flag: a derived threshold. */
const VAD_THRESHOLD = 25;

/**
 * Audio levels (WebRTC audioLevel, 0..1) as Agora's volume indication: 0..255, smoothed by the
 * `smooth` factor (0 none … 10 most; each report moves 1/(1+smooth) of the way to the new level),
 * the loudest three remote users, and a voice-activity flag for the local user when asked for.
 */
export class VolumeMeter {
  #smooth = 3;
  #vad = false;
  #last = new Map<number, number>();

  configure(smooth: number, reportVad: boolean): void {
    this.#smooth = smooth;
    this.#vad = reportVad;
  }

  measure(
    local: number | undefined,
    remote: Array<{ uid: number; level: number }>,
  ): { self: AudioVolumeInfo; others: AudioVolumeInfo[]; total: number } {
    const seen = new Set<number>([0]);
    const self = this.#smoothed(0, local ?? 0);
    const others = remote
      .map(({ uid, level }) => {
        seen.add(uid);
        return { uid, volume: this.#smoothed(uid, level), vad: 1 };
      })
      .sort((a, b) => b.volume - a.volume)
      .slice(0, 3);
    for (const uid of [...this.#last.keys()]) if (!seen.has(uid)) this.#last.delete(uid);
    const total = Math.min(
      255,
      others.reduce((n, o) => n + o.volume, 0),
    );
    return {
      self: { uid: 0, volume: self, vad: this.#vad && self > VAD_THRESHOLD ? 1 : 0, voicePitch: 0 },
      others,
      total,
    };
  }

  #smoothed(uid: number, level: number): number {
    const now = Math.max(0, Math.min(255, level * 255));
    const prev = this.#last.get(uid);
    const v = prev === undefined ? now : prev + (now - prev) / (1 + this.#smooth);
    this.#last.set(uid, v);
    return Math.round(v);
  }
}
