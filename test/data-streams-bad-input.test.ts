import { bytesToBase64, CloseCode } from '@holdfast/protocol';
import { describe, expect, it } from 'vitest';
import type { RawClient } from './support/raw-client.js';
import { useRawServer } from './support/raw-server.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const { connect, join } = useRawServer();
let n = 0;

async function joinedRaw(channel: string, uid: number, extra: Record<string, unknown> = {}) {
  return (await join(channel, uid, extra)).client;
}
const msg = (seq: number, bytes = 8, over: Record<string, unknown> = {}) => ({
  type: 'stream',
  streamId: 1,
  epoch: 77,
  seq,
  data: bytesToBase64(new Uint8Array(bytes).fill(seq % 256)),
  sentTs: Date.now(),
  ...over,
});
const streamEvents = (c: RawClient) => c.framesOf('event').filter((f) => f.event.kind === 'stream');

describe('data streams: bad input from a raw client gets a typed reason', () => {
  it('a stream message before joining ends the connection (unexpected_frame)', async () => {
    const c = await connect();
    c.send(msg(1));
    expect((await c.next('end')).code).toBe('unexpected_frame');
    expect((await c.waitClosed()).code).toBe(CloseCode.unexpected_frame);
  });

  for (const [name, frame, text] of [
    ['1,025 bytes', msg(1, 1025), 'ErrSizeTooLarge'],
    ['an unknown stream id (6)', msg(1, 8, { streamId: 6 }), 'streamId'],
    ['bad base64', msg(1, 8, { data: '@@@@' }), 'base64'],
    ['an empty payload', msg(1, 8, { data: '' }), 'empty'],
    ['a missing epoch', msg(1, 8, { epoch: undefined }), 'epoch'],
  ] as const)
    it(`${name} → malformed_frame with the reason, others undisturbed`, async () => {
      const channel = `bad-${n++}`;
      const observer = await joinedRaw(channel, 1);
      const bad = await joinedRaw(channel, 2);
      bad.send(frame);
      const end = await bad.next('end');
      expect(end.code).toBe('malformed_frame');
      expect(end.message).toContain(text);
      await observer.ping(1);
      expect(streamEvents(observer)).toEqual([]);
      expect(observer.isOpen).toBe(true);
    });

  it('a frame that starts as a stream but says "type" twice is refused', async () => {
    const bad = await joinedRaw(`bad-${n++}`, 2);
    bad.send(`{"type":"stream","type":"ping","t":1}`);
    expect((await bad.next('end')).code).toBe('malformed_frame');
  });

  it('binary junk is refused', async () => {
    const bad = await joinedRaw(`bad-${n++}`, 2);
    bad.send(Buffer.from([0x7b, 0x22, 0xff, 0x00, 0x13]));
    expect((await bad.next('end')).code).toBe('malformed_frame');
  });

  it('a flood is limited to 120 per second (twice the SDK limit), told per message, then cut; a fair sender beside it loses nothing', async () => {
    const channel = `flood-${n++}`;
    const receiver = await joinedRaw(channel, 1);
    const fair = await joinedRaw(channel, 3);
    const flooder = await joinedRaw(channel, 2);
    for (let i = 1; i <= 600; i++) flooder.send(msg(i));
    for (let i = 1; i <= 20; i++) {
      fair.send(msg(i, 16, { epoch: 5 }));
      await delay(10);
    }
    const end = await flooder.next('end');
    expect(end.code).toBe('rate_limited');
    expect((await flooder.waitClosed()).code).toBe(CloseCode.rate_limited);
    const refused = flooder.framesOf('stream_refused');
    expect(refused.length).toBeGreaterThan(100);
    expect(refused.every((r) => r.code === 'too_often')).toBe(true);
    // The server holds clients to twice the SDK's limits (slack for frames that arrive bunched).
    expect(refused[0]!.seq).toBe(121);
    await receiver.ping(1);
    await delay(200);
    const got = streamEvents(receiver);
    expect(got.filter((f) => f.event.uid === 2)).toHaveLength(120);
    expect(
      got.filter((f) => f.event.uid === 3).map((f) => (f.event.kind === 'stream' ? f.event.sseq : 0)),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('over 60 KB in a second across streams (twice the SDK limit) is refused as bitrate; a repeated seq is acked, not delivered twice', async () => {
    const channel = `bitrate-${n++}`;
    const receiver = await joinedRaw(channel, 1);
    const sender = await joinedRaw(channel, 2);
    for (let i = 1; i <= 61; i++) sender.send(msg(i, 1024, { streamId: 1 + (i % 5) }));
    const refused = await sender.next('stream_refused');
    expect(refused).toMatchObject({ code: 'bitrate', seq: 61 });
    sender.send(msg(1, 1024, { streamId: 2 }));
    await sender.ping(42);
    const pong = sender.framesOf('pong').find((p) => p.t === 42)!;
    expect(pong.acks).toEqual([{ epoch: 77, seq: 60 }]);
    await receiver.ping(1);
    expect(streamEvents(receiver)).toHaveLength(60);
  });

  it('an audience member in live broadcasting is refused not_broadcaster and keeps its connection', async () => {
    const channel = `live-${n++}`;
    const viewer = await joinedRaw(channel, 2, { role: 'audience', profile: 'live' });
    viewer.send(msg(1));
    expect(await viewer.next('stream_refused')).toMatchObject({ code: 'not_broadcaster', seq: 1 });
    await viewer.ping(1);
    expect(viewer.isOpen).toBe(true);
  });
});
