import { Writable } from 'node:stream';
import { type RunningServer, startServer } from '@holdfast/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './support/raw-client.js';

/** Every admin action is logged with who (the Basic-auth user, and from where) and what. */
const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
    done();
  },
});
let server: RunningServer;
const auth = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: 'demo' }],
    // The operator asked for warnings only: the audit trail is written all the same.
    logger: pino({ level: 'warn' }, sink),
    admin: { customerId: 'ops', customerSecret: 's3cret' },
  });
});
afterAll(async () => {
  await server.close();
});

async function api(method: string, path: string, body: unknown, authorization = auth('ops', 's3cret')) {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const audit = () => lines.filter((l) => l.audit === 'admin');

describe('admin audit log', () => {
  it('logs kicking rules (create, update, delete) and channel closes with the user, address and details', async () => {
    const member = await RawClient.connect(server.url);
    member.send({
      type: 'join',
      v: 1,
      appId: 'demo',
      channel: 'c1',
      uid: 7,
      role: 'broadcaster',
      profile: 'communication',
    });
    await member.next('joined');

    const created = await api('POST', '/dev/v1/kicking-rule', {
      appid: 'demo',
      cname: 'c1',
      uid: 7,
      time: 5,
      privileges: ['join_channel'],
    });
    expect(created.status).toBe(200);
    const id = created.body.id as number;
    expect((await api('PUT', '/dev/v1/kicking-rule', { appid: 'demo', id, time: 10 })).status).toBe(200);
    expect((await api('DELETE', '/dev/v1/kicking-rule', { appid: 'demo', id })).status).toBe(200);
    expect((await api('POST', '/dev/v1/close-channel', { appid: 'demo', cname: 'c2' })).status).toBe(200);
    await member.close();

    const entries = audit();
    const actions = entries.map((l) => l.action);
    expect(actions).toEqual([
      'kicking_rule.create',
      'kicking_rule.update',
      'kicking_rule.delete',
      'channel.close',
    ]);
    for (const l of entries) {
      expect(l.admin).toBe('ops');
      expect(l.remote).toMatch(/127\.0\.0\.1/);
      expect(l.level).toBe(30);
    }
    expect(entries[0]).toMatchObject({ minutes: 5, rule: { id, appid: 'demo', cname: 'c1', uid: 7 } });
    expect(entries[0]!.msg).toBe(`admin: kicking rule ${id} created for 5 min`);
    expect(entries[1]).toMatchObject({ minutes: 10, rule: { id } });
    expect(entries[2]).toMatchObject({ appid: 'demo', id });
    expect(entries[3]).toMatchObject({
      appid: 'demo',
      cname: 'c2',
      members: 0,
      msg: 'admin: channel "c2" closed',
    });
  });

  it('logs a failed authentication with the user name tried, never the secret', async () => {
    const before = audit().length;
    const res = await api(
      'POST',
      '/dev/v1/close-channel',
      { appid: 'demo', cname: 'c3' },
      auth('mallory', 'guess'),
    );
    expect(res.status).toBe(401);
    const l = audit().slice(before);
    expect(l).toHaveLength(1);
    expect(l[0]).toMatchObject({
      admin: 'mallory',
      method: 'POST',
      path: '/dev/v1/close-channel',
      level: 40,
    });
    expect(JSON.stringify(l[0])).not.toContain('guess');
  });
});
