import { type ChannelEvent, CloseCode, type WireErrorCode } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import type { RawClient } from './support/raw-client.js';
import { rawJoinFrame as joinFrame, useRawServer } from './support/raw-server.js';

const OBSERVER_UID = 1001;
const BAD_UID = 2002;
/** How long "nothing else arrives" is watched for after the bad client is gone. */
const QUIET_MS = 300;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const { server, connect: open, join: joinAs } = useRawServer();
let channelCount = 0;
let pingCount = 0;

/** A fresh channel with one joined member that watches for collateral damage. */
async function channelWithObserver(): Promise<{ channel: string; observer: RawClient }> {
  const channel = `bad-input-${++channelCount}`;
  const { client: observer, joined } = await joinAs(channel, OBSERVER_UID);
  expect(joined.members).toEqual([]);
  return { channel, observer };
}

/** The bad client got exactly one `end` with `code` and a sentence, then a close with the matching code. */
async function expectEnded(bad: RawClient, code: WireErrorCode): Promise<void> {
  const end = await bad.next('end');
  expect(end.code).toBe(code);
  expect(typeof end.message).toBe('string');
  expect(end.message.trim()).not.toBe('');
  const closed = await bad.waitClosed();
  expect(closed.code).toBe(CloseCode[code]);
  expect(bad.framesOf('end')).toHaveLength(1);
  expect(bad.framesOf('joined')).toEqual([]);
}

/**
 * The observer is still connected, still answered after the bad client closed, and saw
 * no presence events other than `expected` (nor an `end`) within the quiet period.
 */
async function expectUndisturbed(
  observer: RawClient,
  expected: ChannelEvent[] = [],
  quietMs = QUIET_MS,
): Promise<void> {
  expect(observer.isOpen).toBe(true);
  await observer.ping(++pingCount);
  await delay(quietMs);
  expect(observer.isOpen).toBe(true);
  expect(observer.framesOf('end')).toEqual([]);
  expect(observer.framesOf('event').map((f) => f.event)).toEqual(expected);
  await observer.ping(++pingCount);
}

interface BadCase {
  name: string;
  /** What the bad (never joined) client sends; `channel` is the observer's channel. */
  send: (channel: string) => string | Buffer | object;
  code: WireErrorCode;
}

const cases: BadCase[] = [
  { name: 'text that is not JSON', send: () => '{nope', code: 'malformed_frame' },
  { name: 'a JSON array', send: (ch) => JSON.stringify([joinFrame(ch, BAD_UID)]), code: 'malformed_frame' },
  { name: 'a JSON object without type', send: () => ({ v: 1, t: 1 }), code: 'malformed_frame' },
  { name: 'a JSON object with a non-string type', send: () => ({ type: 7 }), code: 'malformed_frame' },
  { name: 'an unknown frame type', send: () => ({ type: 'teleport' }), code: 'unknown_frame_type' },
  {
    name: 'a 9 KB text frame (over MAX_CLIENT_FRAME_BYTES, under ws maxPayload)',
    send: (ch) => joinFrame(ch, BAD_UID, { token: 'x'.repeat(9 * 1024) }),
    code: 'frame_too_large',
  },
  {
    name: 'a binary frame (even one holding a valid join)',
    send: (ch) => Buffer.from(JSON.stringify(joinFrame(ch, BAD_UID))),
    code: 'malformed_frame',
  },
  {
    name: 'a join with a string uid',
    send: (ch) => joinFrame(ch, BAD_UID, { uid: 'x' }),
    code: 'malformed_frame',
  },
  {
    name: 'a join with an unknown role',
    send: (ch) => joinFrame(ch, BAD_UID, { role: 'king' }),
    code: 'malformed_frame',
  },
  {
    name: 'a join for an unknown app',
    send: (ch) => joinFrame(ch, BAD_UID, { appId: 'no-such-app' }),
    code: 'invalid_app_id',
  },
  {
    name: 'a join with a "/" in the channel name',
    send: () => joinFrame('bad/name', BAD_UID),
    code: 'invalid_channel_name',
  },
  {
    name: 'a join with a 65-character channel name',
    send: () => joinFrame('a'.repeat(65), BAD_UID),
    code: 'invalid_channel_name',
  },
  {
    name: 'a join with an empty channel name',
    send: () => joinFrame('', BAD_UID),
    code: 'invalid_channel_name',
  },
  { name: 'a join with uid -1', send: (ch) => joinFrame(ch, -1), code: 'invalid_uid' },
  { name: 'a join with uid 2**32', send: (ch) => joinFrame(ch, 2 ** 32), code: 'invalid_uid' },
  { name: 'a join with v: 99', send: (ch) => joinFrame(ch, BAD_UID, { v: 99 }), code: 'unsupported_version' },
  {
    name: 'set_role before join',
    send: () => ({ type: 'set_role', id: 1, role: 'audience' }),
    code: 'unexpected_frame',
  },
];

describe.concurrent('bad input closes only the offending connection', () => {
  it.each(cases)('$name → $code', async ({ send, code }) => {
    const { channel, observer } = await channelWithObserver();
    const bad = await open();
    bad.send(send(channel));
    await expectEnded(bad, code);
    await expectUndisturbed(observer);
  });

  it('a 100 KB frame is cut by ws itself (1009) and the server carries on', async () => {
    const { channel, observer } = await channelWithObserver();
    const bad = await open();
    bad.send(joinFrame(channel, BAD_UID, { token: 'x'.repeat(100 * 1024) }));
    const closed = await bad.waitClosed();
    expect(closed.code).toBe(1009);
    expect(bad.frames).toEqual([]);
    await expectUndisturbed(observer);
    const health = await fetch(`${server().httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });

  it('a flood of 200 pings → rate_limited', async () => {
    const { observer } = await channelWithObserver();
    const bad = await open();
    for (let t = 1; t <= 200; t++) bad.send({ type: 'ping', t });
    await expectEnded(bad, 'rate_limited');
    // Frames up to the limit were answered, nothing after it.
    const pongs = bad.framesOf('pong').map((p) => p.t);
    expect(pongs).toEqual(Array.from({ length: pongs.length }, (_, i) => i + 1));
    expect(pongs.length).toBeLessThanOrEqual(50);
    expect(bad.frames.at(-1)?.type).toBe('end');
    await expectUndisturbed(observer);
  });

  it('a flood from a joined client ends its connection but leaves its session resumable', async () => {
    const { channel, observer } = await channelWithObserver();
    const { client: bad, joined } = await joinAs(channel, BAD_UID);
    expect(joined.members).toEqual([{ uid: OBSERVER_UID }]);
    await observer.next('event', (f) => f.event.kind === 'user_joined' && f.event.uid === BAD_UID);
    for (let t = 1; t <= 200; t++) bad.send({ type: 'ping', t });
    const end = await bad.next('end');
    expect(end.code).toBe('rate_limited');
    expect((await bad.waitClosed()).code).toBe(CloseCode.rate_limited);
    await expectUndisturbed(observer, [{ kind: 'user_joined', uid: BAD_UID }]);
  });

  it('a second join on a joined connection → rejected; the session stays resumable', async () => {
    const { channel, observer } = await channelWithObserver();
    const { client: bad, joined } = await joinAs(channel, BAD_UID);
    expect(joined.uid).toBe(BAD_UID);
    expect(joined.members).toEqual([{ uid: OBSERVER_UID }]);
    await observer.next('event', (f) => f.event.kind === 'user_joined' && f.event.uid === BAD_UID);

    bad.send(joinFrame(channel, BAD_UID));
    const end = await bad.next('end');
    expect(end.code).toBe('rejected');
    expect(end.message.trim()).not.toBe('');
    expect((await bad.waitClosed()).code).toBe(CloseCode.rejected);
    expect(bad.framesOf('joined')).toHaveLength(1);

    // The member is only detached: no user_offline within a second.
    await expectUndisturbed(observer, [{ kind: 'user_joined', uid: BAD_UID }], 1000);

    // And the session can indeed be taken back on a new socket.
    const { client: again, joined: resumed } = await joinAs(channel, BAD_UID, {
      resume: { sessionId: joined.sessionId, secret: joined.resumeSecret!, lastSeq: joined.seq },
    });
    expect(resumed.resumed).toBe(true);
    expect(resumed.sessionId).toBe(joined.sessionId);
    expect(resumed.members).toEqual([{ uid: OBSERVER_UID }]);
    await again.ping(++pingCount);
    await observer.ping(++pingCount);
    expect(observer.framesOf('event').map((f) => f.event)).toEqual([{ kind: 'user_joined', uid: BAD_UID }]);
  });
});

describe('after all the bad input', () => {
  it('/healthz answers 200 and a brand-new client can join', async () => {
    const health = await fetch(`${server().httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const { channel, observer } = await channelWithObserver();
    const { client, joined } = await joinAs(channel, 0);
    expect(joined.resumed).toBe(false);
    expect(joined.uid).toBeGreaterThan(0);
    expect(joined.members).toEqual([{ uid: OBSERVER_UID }]);
    await client.ping(++pingCount);
    await observer.next('event', (f) => f.event.kind === 'user_joined' && f.event.uid === joined.uid);
  });
});
