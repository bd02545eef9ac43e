import { type JoinFrame, PROTOCOL_VERSION } from '@holdfast/protocol';
import type { JoinParams } from './session-types.js';

/** The first frame of every connection: a fresh join, or a resume of `resume`'s session. */
export function joinFrame(
  appId: string,
  p: JoinParams,
  uid: number,
  resume: JoinFrame['resume'] | undefined,
): JoinFrame {
  const frame: JoinFrame = {
    type: 'join',
    v: PROTOCOL_VERSION,
    appId,
    channel: p.channel,
    uid,
    role: p.role,
    profile: p.profile,
  };
  if (p.token) frame.token = p.token;
  if (resume) frame.resume = resume;
  return frame;
}
