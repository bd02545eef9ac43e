import type {
  JoinedFrame,
  RoleResultFrame,
  ServerFrame,
  ServerMediaFrame,
  TokenResultFrame,
  WireErrorCode,
} from '@holdfast/protocol';
import type { DataStreams } from './data-streams.js';
import type { RemoteMembers } from './presence.js';

/** Where the session's server frames go: its parts, and its own handling of the rest. */
export interface FrameTargets {
  /** The machine is Connected (member events apply only then). */
  connected(): boolean;
  readonly remote: RemoteMembers;
  readonly streams: DataStreams;
  joined(frame: JoinedFrame): void;
  /** A keepalive answer: the round trip is measured (the data-stream acks go to `streams`). */
  /** A pong: `t` echoed, `heldMs` how long the server held the ping before answering. */
  pong(t: number, heldMs: number): void;
  /** Media signalling, for the media layer. */
  media(frame: ServerMediaFrame): void;
  /** The server's `end`: its code and message. */
  end(code: WireErrorCode, message: string): void;
  roleResult(frame: RoleResultFrame): void;
  tokenResult(frame: TokenResultFrame): void;
}

/** Routes one decoded server frame to its target. */
export function routeServerFrame(frame: ServerFrame, to: FrameTargets): void {
  switch (frame.type) {
    case 'joined':
      to.joined(frame);
      return;
    case 'event':
      if (to.connected()) to.remote.apply(frame);
      return;
    case 'batch':
      // Several events of one server turn: each applies as if it had come alone.
      if (to.connected()) for (const f of frame.frames) to.remote.apply(f);
      return;
    case 'sync':
      // The server rebuilt its state and may have lost events: take its member list as truth.
      if (to.connected()) {
        to.remote.resetSequence();
        to.remote.reconcile(frame.members, frame.seq, undefined);
      }
      return;
    case 'pong':
      to.pong(frame.t, frame.held ?? 0);
      to.streams.acked(frame.acks);
      return;
    case 'stream_refused':
      to.streams.refused(frame);
      return;
    case 'media_publish_answer':
    case 'media_offer':
    case 'media_sub_answer':
    case 'media_snapshot':
    case 'media_error':
    case 'media_moved':
      to.media(frame);
      return;
    case 'end':
      to.end(frame.code, frame.message);
      return;
    case 'role_result':
      to.roleResult(frame);
      return;
    case 'token_result':
      to.tokenResult(frame);
      return;
    default:
      return;
  }
}
