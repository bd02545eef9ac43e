import type { MediaKind } from '@holdfast/protocol';
import type { CaptureFailure } from './devices.js';

/** Agora's LocalAudio/VideoStreamState, profile-neutral. */
export type LocalPhase = 'stopped' | 'capturing' | 'encoding' | 'failed';

const KINDS: readonly MediaKind[] = ['audio', 'video'];

/**
 * Each local track's phase, told once per change: failed (the capture failed, with why),
 * stopped (nothing captured), capturing, encoding (sent on a connected publisher connection).
 */
export class LocalPhases {
  #failures: Partial<Record<MediaKind, CaptureFailure>> = {};
  #told: Record<MediaKind, LocalPhase> = { audio: 'stopped', video: 'stopped' };

  constructor(
    private readonly tell: (kind: MediaKind, phase: LocalPhase, failure?: CaptureFailure) => void,
  ) {}

  /** The capture of `kind` failed (with why), or did not (undefined). */
  failure(kind: MediaKind, failure: CaptureFailure | undefined): void {
    if (failure) this.#failures[kind] = failure;
    else delete this.#failures[kind];
  }

  /** Re-derives both phases and tells the changed ones. */
  update(captured: (kind: MediaKind) => boolean, sent: (kind: MediaKind) => boolean): void {
    for (const kind of KINDS) {
      const failure = this.#failures[kind];
      const phase: LocalPhase = failure
        ? 'failed'
        : !captured(kind)
          ? 'stopped'
          : sent(kind)
            ? 'encoding'
            : 'capturing';
      if (phase === this.#told[kind]) continue;
      this.#told[kind] = phase;
      this.tell(kind, phase, failure);
    }
  }
}
