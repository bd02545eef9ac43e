import type { MediaKind } from '@holdfast/protocol';
import type { TrackLike } from './peer.js';

/** `navigator.mediaDevices`, or anything with its getUserMedia (a Node source, a test fake). */
export interface MediaDevicesLike {
  getUserMedia(constraints: {
    audio?: boolean | Record<string, unknown>;
    video?: boolean | Record<string, unknown>;
  }): Promise<{ getTracks(): TrackLike[] }>;
}

export function resolveMediaDevices(explicit?: MediaDevicesLike): MediaDevicesLike | undefined {
  return (
    explicit ?? (globalThis as { navigator?: { mediaDevices?: MediaDevicesLike } }).navigator?.mediaDevices
  );
}

/** Why capture failed, profile-neutral (each profile numbers it: Agora LocalAudio/VideoStreamReason). */
export type CaptureFailure = 'no_permission' | 'busy' | 'not_found' | 'failure';

/** getUserMedia's DOMException names to a failure (W3C Media Capture: NotAllowed, NotReadable, NotFound…). */
export function captureFailure(err: unknown): CaptureFailure {
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'no_permission';
  if (name === 'NotReadableError' || name === 'AbortError') return 'busy';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'not_found';
  return 'failure';
}

export type CaptureEvent =
  | { type: 'started'; kind: MediaKind; track: TrackLike }
  | { type: 'stopped'; kind: MediaKind }
  | { type: 'failed'; kind: MediaKind; failure: CaptureFailure };

/** The camera's default: 640×360 at 15 fps (a call tile, not a stage). */
const VIDEO_CONSTRAINTS = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 15 } };

/**
 * The local microphone and camera: one track per kind, acquired when wanted and stopped when not.
 * `want` may be called at any time; a capture that resolves after it stopped being wanted is
 * stopped at once. Results are told through `onEvent` (the driver turns them into states).
 */
export class LocalCapture {
  #tracks: Partial<Record<MediaKind, TrackLike>> = {};
  #pending: Partial<Record<MediaKind, boolean>> = {};
  #wanted: Record<MediaKind, boolean> = { audio: false, video: false };
  /** A kind whose last attempt failed is not retried until it is unwanted and wanted again. */
  #failed: Partial<Record<MediaKind, boolean>> = {};

  constructor(
    private readonly devices: () => MediaDevicesLike | undefined,
    private readonly onEvent: (event: CaptureEvent) => void,
  ) {}

  track(kind: MediaKind): TrackLike | undefined {
    return this.#tracks[kind];
  }

  /** A capture of `kind` is under way (getUserMedia has not answered). */
  pending(kind: MediaKind): boolean {
    return this.#pending[kind] === true;
  }

  want(kind: MediaKind, on: boolean): void {
    this.#wanted[kind] = on;
    if (!on) {
      this.#failed[kind] = false;
      const track = this.#tracks[kind];
      if (track) {
        delete this.#tracks[kind];
        track.stop();
        this.onEvent({ type: 'stopped', kind });
      }
      return;
    }
    if (this.#tracks[kind] || this.#pending[kind] || this.#failed[kind]) return;
    void this.#acquire(kind);
  }

  stopAll(): void {
    this.want('audio', false);
    this.want('video', false);
  }

  async #acquire(kind: MediaKind): Promise<void> {
    const devices = this.devices();
    if (!devices) {
      this.#failed[kind] = true;
      this.onEvent({ type: 'failed', kind, failure: 'not_found' });
      return;
    }
    this.#pending[kind] = true;
    let track: TrackLike | undefined;
    try {
      const stream = await devices.getUserMedia(
        kind === 'audio' ? { audio: true } : { video: VIDEO_CONSTRAINTS },
      );
      track = stream.getTracks().find((t) => t.kind === kind);
      if (!track) throw Object.assign(new Error(`no ${kind} track`), { name: 'NotFoundError' });
    } catch (err) {
      this.#pending[kind] = false;
      if (!this.#wanted[kind]) return;
      this.#failed[kind] = true;
      this.onEvent({ type: 'failed', kind, failure: captureFailure(err) });
      return;
    }
    this.#pending[kind] = false;
    if (!this.#wanted[kind]) {
      track.stop();
      return;
    }
    this.#tracks[kind] = track;
    this.onEvent({ type: 'started', kind, track });
  }
}
