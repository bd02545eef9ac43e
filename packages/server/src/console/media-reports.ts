import type { ReportedMedia, ReportedMediaEvent } from '@holdfast/protocol';
import type { MediaChange } from '../observe/observer.js';
import type { ConsoleMediaInfo } from './types.js';

/**
 * The latest media figures each session reported (the report frame's `media`, every 2 s), for the
 * console's member rows. Keyed by the session object (a WeakMap: nothing to release when it ends).
 */
export class MediaReports {
  #latest = new WeakMap<object, ConsoleMediaInfo>();

  /** Keeps `media` as the session's figures, received at `now` (server ms). */
  set(session: object, media: ReportedMedia, now: number): void {
    this.#latest.set(session, { ...media, at: now });
  }

  get(session: object): ConsoleMediaInfo | undefined {
    return this.#latest.get(session);
  }
}

/** The node-wide store the gateway writes and the console snapshot reads. */
export const mediaReports = new MediaReports();

/** A reported media event as the observed event's body (the remote member's uid renamed). */
export function mediaChange(e: ReportedMediaEvent): MediaChange {
  return 'link' in e ? { link: e.link } : { remoteUid: e.uid, kind: e.kind, phase: e.phase };
}
