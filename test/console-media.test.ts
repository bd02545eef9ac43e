import { ClientRoleType, type IRtcEngine } from '@holdfast/sdk';
import type { ConsoleHello, ConsoleMember, ConsoleSnapshot, ObservedEvent } from '@holdfast/server';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from './support/chromium.js';
import { RawClient } from './support/raw-client.js';
import { wrtcEngine } from './support/wrtc-devices.js';

/**
 * Issue 14 item 7: the console's per-member media view. Two SDK engines in Node with real WebRTC
 * (`@roamhq/wrtc`, synthetic microphone and camera) publish to each other through a real server;
 * their clients report their media figures every 2 s, and the console's snapshot and its SSE feed
 * show each member publishing, with non-zero bitrates, and the media connection's state changes
 * as events (the timeline's markers); the console page draws them in the member row and on the
 * member's timeline (headless Chromium).
 */
const CHANNEL = 'cm-room';
let server: RunningServer;
const timers: NodeJS.Timeout[] = [];
const engines: IRtcEngine[] = [];

beforeAll(async () => {
  server = await startServer({ port: 0, apps: [{ appId: 'demo' }], logLevel: 'silent' });
}, 90_000);
afterAll(async () => {
  for (const e of engines) e.release();
  for (const t of timers) clearInterval(t);
  await server?.close();
});

function nodeEngine(uid: number): IRtcEngine {
  const engine = wrtcEngine(server.url, timers, engines);
  expect(engine.joinChannel('', CHANNEL, uid, { clientRoleType: ClientRoleType.ClientRoleBroadcaster })).toBe(
    0,
  );
  return engine;
}

const membersOf = (snapshot: ConsoleSnapshot): Map<number, ConsoleMember> =>
  new Map(
    (
      snapshot.apps.find((a) => a.appId === 'demo')?.channels.find((c) => c.channel === CHANNEL)?.members ??
      []
    ).map((m) => [m.uid, m]),
  );

async function snapshotMembers(): Promise<Map<number, ConsoleMember>> {
  const res = await fetch(`${server.httpUrl}/console/api/snapshot`);
  expect(res.status).toBe(200);
  return membersOf(((await res.json()) as ConsoleHello).snapshot);
}

/** Publishing audio and video, sending and receiving at a non-zero bitrate, media connection up. */
const flowing = (m: ConsoleMember | undefined): boolean => {
  const media = m?.live?.media;
  return (
    media !== undefined &&
    media.link === 'up' &&
    media.audio === 'on' &&
    media.video === 'on' &&
    media.txKbps > 0 &&
    media.rxKbps > 0
  );
};

describe('console: per-member media', () => {
  it('the snapshot and the SSE feed show each member publishing with non-zero bitrates, and its media link going up', async () => {
    // The SSE feed, read from before the members join: hello, then deltas and observed events.
    const abort = new AbortController();
    const res = await fetch(`${server.httpUrl}/console/api/events`, { signal: abort.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const messages: Array<{ event: string; data: unknown }> = [];
    let text = '';
    const reading = (async () => {
      for (;;) {
        const chunk = await reader.read().catch(() => undefined);
        if (!chunk || chunk.done) return;
        text += new TextDecoder().decode(chunk.value);
        for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? '';
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (data) messages.push({ event, data: JSON.parse(data) });
        }
      }
    })();

    try {
      nodeEngine(1);
      nodeEngine(2);
      const members = await vi.waitFor(
        async () => {
          const m = await snapshotMembers();
          if (!flowing(m.get(1)) || !flowing(m.get(2)))
            throw new Error(`not yet: ${JSON.stringify([...m.values()].map((x) => x.live?.media))}`);
          return m;
        },
        { timeout: 30_000, interval: 250 },
      );
      const one = members.get(1)!.live!.media!;
      console.log(`console media, uid 1: ${JSON.stringify(one)}`);
      expect(one.txLoss).toBeGreaterThanOrEqual(0);
      expect(one.txLoss).toBeLessThanOrEqual(100);
      expect(Date.now() - one.at).toBeLessThan(10_000);

      // The feed: a delta (or full snapshot) with uid 1 publishing at a non-zero bitrate, and the
      // client's reported media link changes as observed events, ending with `up`.
      await vi.waitFor(
        () => {
          const shown = messages.some((m) => {
            if (m.event !== 'delta' && m.event !== 'snapshot') return false;
            return flowing(membersOf(m.data as ConsoleSnapshot).get(1));
          });
          expect(shown).toBe(true);
        },
        { timeout: 10_000, interval: 100 },
      );
      const media = messages
        .filter((m) => m.event === 'observed')
        .map((m) => m.data as ObservedEvent)
        .filter(
          (e): e is Extract<ObservedEvent, { type: 'client_media' }> =>
            e.type === 'client_media' && e.uid === 1,
        );
      const links = media.flatMap((e) => ('link' in e ? [e.link] : []));
      expect(links.at(-1)).toBe('up');
      expect(links.includes('down')).toBe(false);
      // uid 1 received uid 2's tracks: their phases (Starting → Decoding) are on its timeline too.
      expect(media.some((e) => 'phase' in e && e.remoteUid === 2 && e.phase === 'decoding')).toBe(true);

      // The console page: the media column of uid 1's row, and media markers on its timeline.
      const browser = await launchChromium({ viewport: { width: 1600, height: 1000 } });
      try {
        const page = await browser.context.newPage();
        await page.goto(`${server.httpUrl}/console/`);
        const cell = page.locator('table.members tr[data-uid="1"] td.media');
        await expect
          .poll(() => cell.locator('.publishing').textContent(), { timeout: 15_000 })
          .toBe('audio + video');
        expect(await cell.locator('.link').textContent()).toBe('up');
        expect(await cell.locator('.rates').textContent()).toMatch(/^↑ [1-9]\d* kbps · ↓ [1-9]\d* kbps$/);
        const lane = page.locator('.timeline .lane[data-uid="1"]');
        await lane
          .locator('.marker[data-kind="media"][data-label="media up"]')
          .first()
          .waitFor({ timeout: 15_000 });
        if (process.env.HOLDFAST_CONSOLE_MEDIA_SHOT)
          await page.screenshot({ path: process.env.HOLDFAST_CONSOLE_MEDIA_SHOT });
      } finally {
        await browser.close();
      }
    } finally {
      abort.abort();
      await reading;
    }
  }, 90_000);

  it('a client that lies or floods: a bad media report ends its session (malformed_frame, with the reason); media changes are held to the report budget', async () => {
    const join = (uid: number) => ({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'cm-raw',
      uid,
      role: 'broadcaster',
      profile: 'communication',
    });
    const liar = await RawClient.connect(server.url);
    liar.send(join(8));
    await liar.next('joined');
    liar.send({
      type: 'report',
      states: [],
      media: { link: 'up', audio: 'on', video: 'on', txKbps: -5, rxKbps: 0, txLoss: 0, rxLoss: 0 },
    });
    const end = await liar.next('end');
    expect(end).toMatchObject({ code: 'malformed_frame' });
    expect(end.message).toMatch(/txKbps/);
    await liar.waitClosed();

    // 20 reports of 16 media changes at once (320): the session's budget lets 64 through.
    const flood = await RawClient.connect(server.url);
    flood.send(join(9));
    await flood.next('joined');
    const events = Array.from({ length: 16 }, (_, i) => ({ at: i, link: i % 2 ? 'up' : 'fault' }));
    for (let i = 0; i < 20; i++) flood.send({ type: 'report', states: [], mediaEvents: events });
    await flood.ping(1);
    const res = await fetch(`${server.httpUrl}/console/api/snapshot`);
    const hello = (await res.json()) as ConsoleHello;
    const seen = hello.events.filter((e) => e.type === 'client_media' && e.uid === 9).length;
    console.log(`media changes flooded 320, observed ${seen}`);
    expect(seen).toBeGreaterThanOrEqual(64);
    expect(seen).toBeLessThan(80);
    await flood.close();
  });
});
