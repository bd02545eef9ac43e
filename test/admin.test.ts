import {
  ClientRoleChangeFailedReason,
  ClientRoleType,
  ConnectionChangedReasonType as R,
  ConnectionStateType as S,
  UserOfflineReasonType,
} from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';
import { SkewClock } from './support/skew-clock.js';

const admin = { customerId: 'ops', customerSecret: 's3cret' };
const auth = `Basic ${Buffer.from('ops:s3cret').toString('base64')}`;
let server: RunningServer;
const clock = new SkewClock();
const clients: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }, { appId: 'other' }],
    logLevel: 'silent',
    admin,
    clock,
    limits: { maxBroadcasters: 2 },
  });
});
afterAll(async () => {
  for (const c of clients) c.release();
  await server.close();
});

function client() {
  const c = new RecordingClient({ appId: 'demo', serverUrl: server.url });
  clients.push(c);
  return c;
}
async function joined(
  channel: string,
  uid: number,
  role: ClientRoleType = ClientRoleType.ClientRoleBroadcaster,
) {
  const c = client();
  expect(c.engine.joinChannel('', channel, uid, { clientRoleType: role })).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  return c;
}
async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: {
      authorization: auth,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('admin REST API', () => {
  it('refuses requests without the right credentials (401) and accepts them with', async () => {
    const none = await fetch(`${server.httpUrl}/dev/v1/channel/demo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
    const wrong = await api('GET', '/dev/v1/channel/demo', undefined, {
      authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect((await api('GET', '/dev/v1/channel/demo')).status).toBe(200);
  });

  it('lists channels with user counts (paginated) and the users of a channel with roles', async () => {
    await joined('list-a', 1);
    await joined('list-a', 2, ClientRoleType.ClientRoleAudience);
    await joined('list-b', 3);
    const all = await api('GET', '/dev/v1/channel/demo?page_size=500');
    const channels = (all.body.data as { channels: { channel_name: string; user_count: number }[] }).channels;
    expect(channels).toContainEqual({ channel_name: 'list-a', user_count: 2 });
    expect(channels).toContainEqual({ channel_name: 'list-b', user_count: 1 });
    const page = await api('GET', '/dev/v1/channel/demo?page_no=0&page_size=1');
    expect((page.body.data as { channels: unknown[]; total_size: number }).channels).toHaveLength(1);
    const users = await api('GET', '/dev/v1/channel/user/demo/list-a');
    expect(users.body.data).toMatchObject({
      channel_exist: true,
      total: 2,
      broadcasters: [1],
      audience: [2],
    });
  });

  it('answers bad input with 4xx and a reason', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'demo', uid: 'x', time: 1, privileges: ['join_channel'] },
        400,
        'invalid_request',
      ],
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'demo', uid: 1, time: 9999, privileges: ['join_channel'] },
        400,
        'invalid_request',
      ],
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'demo', time: 1, privileges: ['join_channel'] },
        400,
        'invalid_request',
      ],
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'demo', uid: 1, time: 1, privileges: ['fly'] },
        400,
        'invalid_request',
      ],
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'nope', uid: 1, time: 1, privileges: ['join_channel'] },
        404,
        'unknown_app',
      ],
      ['POST', '/dev/v1/kicking-rule', '{not json', 400, 'invalid_json'],
      [
        'POST',
        '/dev/v1/kicking-rule',
        { appid: 'demo', cname: 'x'.repeat(30_000), time: 1, privileges: ['join_channel'] },
        413,
        'body_too_large',
      ],
      ['DELETE', '/dev/v1/kicking-rule', { appid: 'demo', id: 424242 }, 404, 'unknown_rule'],
      ['GET', '/dev/v1/channel/nope', undefined, 404, 'unknown_app'],
      ['GET', '/dev/v1/channel/user/demo/bad%2Fname', undefined, 400, 'invalid_request'],
      ['GET', '/dev/v1/channel/demo?page_size=0', undefined, 400, 'invalid_request'],
      ['PATCH', '/dev/v1/kicking-rule', undefined, 405, 'method_not_allowed'],
    ];
    for (const [method, path, body, status, error] of cases) {
      const r = await api(method, path, body);
      expect({ method, path, status: r.status, error: r.body.error }).toEqual({
        method,
        path,
        status,
        error,
      });
      expect(typeof r.body.message).toBe('string');
    }
    // The server is fine afterwards.
    expect((await fetch(`${server.httpUrl}/healthz`)).status).toBe(200);
  });

  it('a kicking rule ends matching sessions (Failed/BannedByServer), refuses rejoins, and expires on time', async () => {
    const victim = await joined('ban', 7);
    const other = await joined('ban', 8);
    await other.waitFor((e) => e.name === 'onUserJoined' && e.args[0] === 7);
    const created = await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      cname: 'ban',
      uid: 7,
      time: 1,
      privileges: ['join_channel'],
    });
    expect(created).toMatchObject({ status: 200, body: { status: 'success' } });
    await victim.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    expect(victim.named('onConnectionBanned')).toHaveLength(1);
    const off = await other.waitFor((e) => e.name === 'onUserOffline' && e.args[0] === 7);
    expect(off.args[1]).toBe(UserOfflineReasonType.UserOfflineDropped);
    // The rule is listed with its end time.
    const listed = await api('GET', '/dev/v1/kicking-rule?appid=demo');
    expect(listed.body.rules).toContainEqual(
      expect.objectContaining({ id: created.body.id, uid: 7, cname: 'ban' }),
    );
    // A rejoin inside the ban is refused with the same reason.
    victim.engine.leaveChannel();
    const from = victim.events.length;
    victim.join('ban', 7);
    await victim.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000, from);
    // Other uids and channels are unaffected.
    await joined('ban', 9, ClientRoleType.ClientRoleAudience);
    // One minute later (server clock) the rule has expired and the join succeeds.
    clock.offsetMs += 61_000;
    victim.engine.leaveChannel();
    const again = victim.events.length;
    victim.join('ban', 7);
    await victim.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 3000, again);
    expect((await api('GET', '/dev/v1/kicking-rule?appid=demo')).body.rules).toEqual([]);
  });

  it('time 0 kicks once without banning; DELETE lifts a ban', async () => {
    const a = await joined('once', 11);
    await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      uid: 11,
      time: 0,
      privileges: ['join_channel'],
    });
    await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    a.engine.leaveChannel();
    const from = a.events.length;
    a.join('once', 11);
    await a.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 3000, from);

    const b = await joined('lift', 12);
    const rule = await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      uid: 12,
      time: 60,
      privileges: ['join_channel'],
    });
    await b.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    expect((await api('DELETE', '/dev/v1/kicking-rule', { appid: 'demo', id: rule.body.id })).status).toBe(
      200,
    );
    b.engine.leaveChannel();
    const fromB = b.events.length;
    b.join('lift', 12);
    await b.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 3000, fromB);
  });

  it("Agora's time_in_seconds: a 30 s ban (it wins over time), and out-of-range or missing durations are refused", async () => {
    const victim = await joined('secs', 21);
    const created = await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      uid: 21,
      time: 60,
      time_in_seconds: 30,
      privileges: ['join_channel'],
    });
    expect(created).toMatchObject({ status: 200, body: { status: 'success' } });
    await victim.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    const rules = (await api('GET', '/dev/v1/kicking-rule?appid=demo')).body.rules as Array<{
      id: number;
      ts: number;
      createAt: number;
    }>;
    const rule = rules.find((r) => r.id === created.body.id)!;
    expect(rule.ts - rule.createAt).toBe(30);
    // PUT takes it too.
    const put = await api('PUT', '/dev/v1/kicking-rule', {
      appid: 'demo',
      id: created.body.id,
      time_in_seconds: 45,
    });
    expect(put.status).toBe(200);
    // The PUT made it a 45 s ban from now: 46 s later (server clock) it is over.
    clock.offsetMs += 46_000;
    victim.engine.leaveChannel();
    const from = victim.events.length;
    victim.join('secs', 21);
    await victim.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess, 3000, from);
    for (const body of [
      { appid: 'demo', uid: 1, time_in_seconds: 5, privileges: ['join_channel'] },
      { appid: 'demo', uid: 1, time_in_seconds: 86_431, privileges: ['join_channel'] },
      { appid: 'demo', uid: 1, privileges: ['join_channel'] },
    ]) {
      const res = await api('POST', '/dev/v1/kicking-rule', body);
      expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    }
  });

  it('a rule by IP bans every session from that address', async () => {
    const a = await joined('by-ip', 21);
    await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      ip: '127.0.0.1',
      cname: 'by-ip',
      time: 1,
      privileges: ['join_channel'],
    });
    await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
  });

  it('closing a channel ends every member session', async () => {
    const a = await joined('closing', 31);
    const b = await joined('closing', 32, ClientRoleType.ClientRoleAudience);
    const r = await api('POST', '/dev/v1/close-channel', { appid: 'demo', cname: 'closing' });
    expect(r.body).toMatchObject({ status: 'success', closed: 2 });
    await a.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    await b.waitState(S.ConnectionStateFailed, R.ConnectionChangedBannedByServer, 3000);
    expect((await api('GET', '/dev/v1/channel/user/demo/closing')).body.data).toMatchObject({
      channel_exist: false,
      total: 0,
    });
  });

  it('the broadcaster limit: Failed/TooManyBroadcasters at join, onClientRoleChangeFailed on a role switch', async () => {
    await joined('limit', 41);
    await joined('limit', 42);
    const third = client();
    third.engine.joinChannel('', 'limit', 43, { clientRoleType: ClientRoleType.ClientRoleBroadcaster });
    await third.waitState(S.ConnectionStateFailed, R.ConnectionChangedTooManyBroadcasters, 3000);
    const viewer = await joined('limit', 44, ClientRoleType.ClientRoleAudience);
    viewer.engine.setClientRole(ClientRoleType.ClientRoleBroadcaster);
    const failed = await viewer.waitFor((e) => e.name === 'onClientRoleChangeFailed');
    expect(failed.args).toEqual([
      ClientRoleChangeFailedReason.ClientRoleChangeFailedTooManyBroadcasters,
      ClientRoleType.ClientRoleAudience,
    ]);
    expect(viewer.engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });
});
