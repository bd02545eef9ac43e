import type { MediaKind } from '@holdfast/protocol';
import type { CaptureFailure } from './devices.js';
import type { LinkChange } from './link-machine.js';
import type { LocalPhase } from './local-phases.js';
import type { RemoteEffect } from './remote-state.js';
import type { MediaReport } from './session-stats.js';

/** What the media layer tells the engine that owns it, profile-neutral. */
export interface MediaListener {
  local(kind: MediaKind, phase: LocalPhase, failure: CaptureFailure | undefined): void;
  firstLocalVideoFrame(width: number, height: number, elapsed: number): void;
  /** A remote track's phase, a member's published state, or a first decoded video frame. */
  remote(effect: RemoteEffect, elapsed: number): void;
  firstRemoteVideoFrame(uid: number, width: number, height: number, elapsed: number): void;
  stats(report: MediaReport): void;
  /** Audio levels 0..1: the microphone's (undefined when not sending) and each remote user's. */
  volume(local: number | undefined, remote: Array<{ uid: number; level: number }>): void;
  error(code: string, message: string): void;
  /**
   * The media connection's own state while signalling is connected: `down` an outage of 4 s
   * (elapsed: since it began), `lost` still down 10 s after it was told, `up` media back
   * (elapsed: since it was told). See the media connection machine (link-machine.ts).
   */
  link(change: LinkChange, elapsed: number): void;
}
