import { type JoinedFrame, type JoinFrame, PROTOCOL_VERSION } from '@holdfast/protocol';
import type { JoinParams } from './session-types.js';

/**
 * What resumes a session: its id and the secret the server gave in the session's first `joined`
 * frame. Kept in memory only, for the session's life; the server never sends the secret again.
 */
export interface ResumeTicket {
  sessionId: string;
  secret: string;
}

/** The ticket after a `joined` frame: a new session's own, or the one held when it was resumed. */
export function ticketAfter(held: ResumeTicket | undefined, frame: JoinedFrame): ResumeTicket | undefined {
  if (frame.resumeSecret !== undefined) return { sessionId: frame.sessionId, secret: frame.resumeSecret };
  // No secret, no resume: the next connection joins afresh (taking its uid back).
  return held?.sessionId === frame.sessionId ? held : undefined;
}

/**
 * The first frame of every connection: a fresh join, or a resume of `ticket`'s session. `media`:
 * the client holds media connections in the channel (the server re-offers what it may have missed,
 * or says `media_moved`); without any, the server skips that work for the resume.
 */
export function joinFrame(
  appId: string,
  p: JoinParams,
  uid: number,
  ticket: ResumeTicket | undefined,
  lastSeq: number,
  media = false,
): JoinFrame {
  const frame: JoinFrame = {
    type: 'join',
    v: PROTOCOL_VERSION,
    appId,
    channel: p.channel,
    uid,
    role: p.role,
    profile: p.profile,
    // The SDK reads `batch` frames: a big channel's events of one server turn come in one message.
    batch: true,
  };
  if (p.token) frame.token = p.token;
  if (ticket) frame.resume = { sessionId: ticket.sessionId, secret: ticket.secret, lastSeq, media };
  return frame;
}
