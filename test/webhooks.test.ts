import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChannelProfileType,
  ClientRoleType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
} from '@holdfast/sdk';
import { type RunningServer, type ServerOptions, signatureHeader, startServer } from '@holdfast/server';
import agoraToken from 'agora-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedWebhook, webhookReceiver } from '../examples/webhook-receiver.js';
import { parsePrometheusText, sampleValue } from './support/prom-text.js';
import { RawClient } from './support/raw-client.js';
import { RecordingClient } from './support/recorder.js';
import { type SunkWebhook, short, WebhookSink } from './support/webhook-sink.js';

const { RtcTokenBuilder, RtcRole } = agoraToken;
const SECRET = 'webhook-test-secret-0123456789';
const TOKEN_APP = '0123456789abcdef0123456789abcdef';
const CERT = 'fedcba9876543210fedcba9876543210';
const auth = `Basic ${Buffer.from('ops:s3cret').toString('base64')}`;

let sink: WebhookSink;
let server: RunningServer;
/** The example receiver (examples/webhook-receiver.ts) as a second URL: what it hands on, once each. */
let example: Server;
const exampleGot: ReceivedWebhook[] = [];
let exampleUrl = '';
const clients: RecordingClient[] = [];
const raws: RawClient[] = [];

beforeAll(async () => {
  sink = await WebhookSink.start(SECRET);
  example = webhookReceiver(SECRET, (e) => exampleGot.push(e));
  await new Promise<void>((resolve) => example.listen(0, '127.0.0.1', resolve));
  exampleUrl = `http://127.0.0.1:${(example.address() as AddressInfo).port}/hooks`;
  server = await startServer({
    port: 0,
    apps: [
      { appId: 'demo' },
      { appId: 'quick', offlineAfterMs: 1500 },
      { appId: TOKEN_APP, appCertificate: CERT },
    ],
    admin: { customerId: 'ops', customerSecret: 's3cret' },
    logLevel: 'silent',
    nodeId: 'solo',
    media: { enabled: false },
    webhooks: { urls: [sink.url, exampleUrl], secret: SECRET },
  });
});
afterAll(async () => {
  for (const c of clients) c.release();
  for (const r of raws) r.ws.terminate();
  await server?.close();
  await sink?.close();
  example?.close();
});

function client(appId = 'demo') {
  const c = new RecordingClient({ appId, serverUrl: server.url });
  clients.push(c);
  return c;
}
async function joined(
  channel: string,
  uid: number,
  opts: { appId?: string; token?: string; audience?: boolean } = {},
) {
  const c = client(opts.appId);
  expect(
    c.engine.joinChannel(opts.token ?? '', channel, uid, {
      clientRoleType: opts.audience
        ? ClientRoleType.ClientRoleAudience
        : ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileLiveBroadcasting,
    }),
  ).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  return c;
}
async function admin(path: string, body: unknown) {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}
/** Waits for the channel's events to end with `last`, then returns them as `event:uid`. */
async function sequence(channel: string, count: number): Promise<string[]> {
  await sink.until(() => sink.of(channel).length >= count, 15_000, `${count} events of ${channel}`);
  // Anything extra (a duplicate) would arrive right behind: give it a moment.
  await new Promise((r) => setTimeout(r, 200));
  return sink.of(channel).map(short);
}
const sorted = (xs: string[]) => [...xs].sort();
const find = (channel: string, name: string, uid?: number): SunkWebhook =>
  sink.of(channel).find((e) => e.event === name && (uid === undefined || e.uid === uid))!;

describe('webhooks: signed POSTs to a real receiver on loopback', () => {
  it('channel created, joins, a role change, leaves (quit), channel destroyed — signed, in order, once each', async () => {
    const a = await joined('wh-basic', 1);
    const b = await joined('wh-basic', 2, { audience: true });
    expect(b.engine.setClientRole(ClientRoleType.ClientRoleBroadcaster)).toBe(0);
    await b.waitFor((e) => e.name === 'onClientRoleChanged');
    await sink.until(() => sink.of('wh-basic').length >= 4);
    b.engine.leaveChannel();
    await sink.until(() => sink.of('wh-basic').length >= 5);
    a.engine.leaveChannel();
    expect(await sequence('wh-basic', 7)).toEqual([
      'channel_created',
      'user_joined:1',
      'user_joined:2',
      'role_changed:2',
      'user_left:2',
      'user_left:1',
      'channel_destroyed',
    ]);
    const events = sink.of('wh-basic');
    expect(sink.refused).toEqual([]);
    expect(new Set(events.map((e) => e.id)).size).toBe(7);
    for (const e of events) {
      expect(e.headerId).toBe(e.id);
      expect(e).toMatchObject({ appId: 'demo', channel: 'wh-basic', nodeId: 'solo' });
      expect(Math.abs(e.at - Date.now())).toBeLessThan(60_000);
    }
    expect(find('wh-basic', 'user_joined', 2)).toMatchObject({ role: 'audience' });
    expect(find('wh-basic', 'role_changed', 2)).toMatchObject({
      role: 'broadcaster',
      previousRole: 'audience',
    });
    expect(find('wh-basic', 'user_left', 2)).toMatchObject({ reason: 'quit', cause: 'left' });
  });

  it('a member whose client vanishes leaves with reason dropped after its offline window', async () => {
    const raw = await RawClient.connect(server.url);
    raws.push(raw);
    raw.send({
      type: 'join',
      v: 1,
      appId: 'quick',
      channel: 'wh-drop',
      uid: 7,
      role: 'broadcaster',
      profile: 'communication',
    });
    await raw.next('joined');
    raw.ws.terminate();
    expect(await sequence('wh-drop', 4)).toEqual([
      'channel_created',
      'user_joined:7',
      'user_left:7',
      'channel_destroyed',
    ]);
    expect(find('wh-drop', 'user_left', 7)).toMatchObject({ reason: 'dropped', cause: 'timed_out' });
    const left = find('wh-drop', 'user_left', 7).at - find('wh-drop', 'user_joined', 7).at;
    expect(left).toBeGreaterThanOrEqual(1400);
  });

  it('kicked by a kicking rule and by closing the channel (admin API): user_kicked, then user_left', async () => {
    await joined('wh-kick', 11);
    await joined('wh-kick', 12);
    await sink.until(() => sink.of('wh-kick').length >= 3);
    await admin('/dev/v1/kicking-rule', {
      appid: 'demo',
      cname: 'wh-kick',
      uid: 11,
      time: 0,
      privileges: ['join_channel'],
    });
    await sink.until(() => sink.of('wh-kick').length >= 5);
    await admin('/dev/v1/close-channel', { appid: 'demo', cname: 'wh-kick' });
    expect(await sequence('wh-kick', 8)).toEqual([
      'channel_created',
      'user_joined:11',
      'user_joined:12',
      'user_kicked:11',
      'user_left:11',
      'user_kicked:12',
      'user_left:12',
      'channel_destroyed',
    ]);
    expect(find('wh-kick', 'user_kicked', 11)).toMatchObject({ reason: 'kicked', cause: 'banned' });
    expect(find('wh-kick', 'user_left', 11)).toMatchObject({ reason: 'kicked', cause: 'banned' });
    expect(find('wh-kick', 'user_kicked', 12)).toMatchObject({ reason: 'kicked', cause: 'channel_closed' });
  });

  it('a token that expires while joined: token_expired, then user_left', async () => {
    const token = RtcTokenBuilder.buildTokenWithUid(TOKEN_APP, CERT, 'wh-token', 5, RtcRole.PUBLISHER, 3, 3);
    const c = await joined('wh-token', 5, { appId: TOKEN_APP, token });
    await c.waitState(S.ConnectionStateFailed, R.ConnectionChangedTokenExpired, 8000);
    expect(await sequence('wh-token', 5)).toEqual([
      'channel_created',
      'user_joined:5',
      'token_expired:5',
      'user_left:5',
      'channel_destroyed',
    ]);
    expect(find('wh-token', 'token_expired', 5)).toMatchObject({
      appId: TOKEN_APP,
      reason: 'kicked',
      cause: 'token_expired',
    });
  });

  it('a receiver that answers 500, then refuses connections, then comes back gets every event once, in order', async () => {
    const before = sink.requests.length;
    sink.mode = 'error';
    const a = await joined('wh-down', 21);
    // 500s: the head event is retried (1 s, then 2 s later).
    await sink.until(() => sink.requests.slice(before).length >= 2, 10_000, 'retried 500s');
    expect(sink.of('wh-down')).toEqual([]);
    // Now nobody listens at all.
    await sink.refuse();
    sink.mode = 'ok';
    a.engine.leaveChannel();
    await new Promise((r) => setTimeout(r, 2500));
    expect(sink.of('wh-down')).toEqual([]);
    await sink.resume();
    expect(await sequence('wh-down', 4)).toEqual([
      'channel_created',
      'user_joined:21',
      'user_left:21',
      'channel_destroyed',
    ]);
    const answered500 = sink.requests.slice(before).filter((r) => r.status === 500);
    expect(answered500.length).toBeGreaterThanOrEqual(2);
    // The retried event was the first one (channel_created); it was accepted once.
    expect(new Set(answered500.map((r) => r.id))).toEqual(new Set([find('wh-down', 'channel_created').id]));
    await sink.until(() => exampleGot.length === sink.accepted.length, 10_000, 'the example receiver');
    const metrics = parsePrometheusText(await (await fetch(`${server.httpUrl}/metrics`)).text());
    const value = (name: string) => sampleValue(metrics, name);
    expect(value('holdfast_webhook_retried_total')).toBeGreaterThanOrEqual(3);
    // Two URLs: the sink and the example receiver (never down), each 2xx counted once.
    expect(value('holdfast_webhook_sent_total')).toBe(sink.accepted.length + exampleGot.length);
    expect(value('holdfast_webhook_failed_total')).toBe(0);
    expect(value('holdfast_webhook_dropped_total')).toBe(0);
  });

  it('the example receiver got the same events, once each, and refuses forged or replayed requests', async () => {
    await sink.until(() => exampleGot.length >= sink.accepted.length, 15_000, 'the example receiver');
    expect(sorted(exampleGot.map((e) => e.id))).toEqual(sorted(sink.accepted.map((e) => e.id)));
    const post = async (body: string, signature?: string) =>
      fetch(exampleUrl, {
        method: 'POST',
        headers: signature ? { 'holdfast-signature': signature } : {},
        body,
      }).then(async (r) => [r.status, await r.text()]);
    const body = JSON.stringify({
      id: 'forged',
      event: 'user_joined',
      appId: 'demo',
      channel: 'x',
      at: 0,
      nodeId: 'n',
    });
    const now = Date.now() / 1000;
    expect(await post(body)).toEqual([401, 'missing_signature']);
    expect(await post(body, signatureHeader('not-the-secret-at-all', body, now))).toEqual([
      401,
      'signature_mismatch',
    ]);
    expect(await post(body, signatureHeader(SECRET, body, now - 301))).toEqual([
      401,
      'timestamp_out_of_tolerance',
    ]);
    expect(await post(body, 't=1,v1=zz')).toEqual([401, 'malformed_signature']);
    expect(exampleGot.some((e) => e.id === 'forged')).toBe(false);
    // A correctly signed event is handed on once, however often it is delivered.
    const signed = signatureHeader(SECRET, body, now);
    expect(await post(body, signed)).toEqual([204, '']);
    expect(await post(body, signed)).toEqual([204, '']);
    expect(exampleGot.filter((e) => e.id === 'forged')).toHaveLength(1);
  });

  it('gives an event up after retryForMs when its receiver never comes back (failed counted)', async () => {
    const gone = await WebhookSink.start(SECRET);
    await gone.refuse();
    const s = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      media: { enabled: false },
      webhooks: { urls: [gone.url], secret: SECRET, retryForMs: 1500 },
    });
    try {
      const c = new RecordingClient({ appId: 'demo', serverUrl: s.url });
      clients.push(c);
      c.join('wh-gone', 1);
      await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
      const failed = async () =>
        sampleValue(
          parsePrometheusText(await (await fetch(`${s.httpUrl}/metrics`)).text()),
          'holdfast_webhook_failed_total',
        );
      // channel_created: tried at 0, 1 and 1.5 s, then given up; user_joined behind it is already past its bound.
      const deadline = Date.now() + 10_000;
      while ((await failed()) < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await failed()).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('a closing server waits (up to 2 s) for its queue: what happened just before reaches a slow receiver', async () => {
    const slow = await WebhookSink.start(SECRET);
    slow.delayMs = 150;
    const s = await startServer({
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      media: { enabled: false },
      webhooks: { urls: [slow.url], secret: SECRET },
    });
    try {
      const c = new RecordingClient({ appId: 'demo', serverUrl: s.url });
      clients.push(c);
      c.join('wh-flush', 1);
      await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
      c.engine.leaveChannel();
      await new Promise((r) => setTimeout(r, 100)); // the leave reaches the server
      expect(slow.accepted.length).toBeLessThan(4);
      await s.close();
      expect(slow.of('wh-flush').map(short)).toEqual([
        'channel_created',
        'user_joined:1',
        'user_left:1',
        'channel_destroyed',
      ]);
    } finally {
      await s.close();
      await slow.close();
    }
  });

  it('refuses bad settings with a TypeError naming them', async () => {
    const base = {
      port: 0,
      apps: [{ appId: 'demo' }],
      logLevel: 'silent',
      media: { enabled: false },
    } satisfies ServerOptions;
    await expect(startServer({ ...base, webhooks: { urls: [sink.url], secret: '' } })).rejects.toThrow(
      /webhooks\.secret must be set/,
    );
    await expect(startServer({ ...base, webhooks: { urls: ['ftp://x/'], secret: SECRET } })).rejects.toThrow(
      /webhooks\.urls: "ftp:\/\/x\/" is not an http: or https: URL/,
    );
    await expect(
      startServer({ ...base, webhooks: { urls: [sink.url], secret: SECRET, retryForMs: -1 } }),
    ).rejects.toThrow(/webhooks\.retryForMs must be a positive integer/);
  });
});
