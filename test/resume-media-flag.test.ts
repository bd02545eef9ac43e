import type { JoinedFrame } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import type { RawClient } from './support/raw-client.js';
import { rawJoinFrame, useRawServer } from './support/raw-server.js';

/**
 * `join.resume.media` (issue 17's recovery row): a client that holds no media connections says so,
 * and its resume costs no media work — no host lookup and no `media_moved`, a frame it would only
 * throw away. Clients that hold media, and older clients that do not say, are told as before.
 */
/** How long a resume is watched for a `media_moved` that must not come (one comes in ~1 ms). */
const QUIET_MS = 500;
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { connect, join } = useRawServer();
let channelCount = 0;

/** Joins a fresh channel (no media in it, so no media host), drops the socket and resumes. */
async function resumeWith(media: boolean | undefined): Promise<{ again: RawClient; resumed: JoinedFrame }> {
  const channel = `resume-media-${++channelCount}`;
  const { client, joined } = await join(channel, 7);
  await client.close();
  const resume = { sessionId: joined.sessionId, secret: joined.resumeSecret!, lastSeq: joined.seq };
  const { client: again, joined: resumed } = await join(channel, 7, {
    resume: media === undefined ? resume : { ...resume, media },
  });
  expect(resumed.resumed).toBe(true);
  return { again, resumed };
}

describe('join.resume.media', () => {
  it('false: the resume gets no media_moved (nothing to move)', async () => {
    const { again } = await resumeWith(false);
    await delay(QUIET_MS);
    expect(again.framesOf('media_moved')).toEqual([]);
    expect(again.isOpen).toBe(true);
  });

  it('true: a client holding media is told media_moved when no node carries the channel any more', async () => {
    const { again } = await resumeWith(true);
    await again.next('media_moved');
  });

  it('absent (an older client): told media_moved as before', async () => {
    const { again } = await resumeWith(undefined);
    await again.next('media_moved');
  });

  it('a non-boolean media is malformed, with the reason', async () => {
    const { client, joined } = await join(`resume-media-${++channelCount}`, 8);
    await client.close();
    const bad = await connect();
    bad.send(
      rawJoinFrame(`resume-media-${channelCount}`, 8, {
        resume: { sessionId: joined.sessionId, secret: joined.resumeSecret!, lastSeq: 0, media: 'yes' },
      }),
    );
    const end = await bad.next('end');
    expect(end.code).toBe('malformed_frame');
    expect(end.message).toContain('media?: boolean');
  });
});
