import type { JoinedFrame } from '@holdfast/protocol';
import { type RunningServer, type ServerOptions, startServer } from '@holdfast/server';
import { afterAll, beforeAll } from 'vitest';
import { RawClient } from './raw-client.js';

/** The app every raw-protocol suite joins. */
export const RAW_APP_ID = 'demo';

/** A join frame as the SDK sends it (broadcaster, communication), with `extra` fields over it. */
export function rawJoinFrame(channel: string, uid: number, extra: Record<string, unknown> = {}) {
  return {
    type: 'join',
    v: 1,
    appId: RAW_APP_ID,
    channel,
    uid,
    role: 'broadcaster',
    profile: 'communication',
    ...extra,
  };
}

/**
 * One real server for a suite of raw-protocol tests (started before the suite, closed after it,
 * every client opened through it closed first).
 */
export function useRawServer(options: Partial<ServerOptions> = {}) {
  let server: RunningServer | undefined;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, apps: [{ appId: RAW_APP_ID }], logLevel: 'silent', ...options });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server?.close();
  });
  const running = (): RunningServer => {
    if (!server) throw new Error('the suite server is not started (use it inside a test)');
    return server;
  };
  /** Opens a client to the suite's server (closed after the suite). */
  const connect = async (): Promise<RawClient> => {
    const client = await RawClient.connect(running().url);
    clients.push(client);
    return client;
  };
  /** Opens a client and joins `channel` as `uid`; resolves with the client and its `joined` frame. */
  const join = async (
    channel: string,
    uid: number,
    extra: Record<string, unknown> = {},
  ): Promise<{ client: RawClient; joined: JoinedFrame }> => {
    const client = await connect();
    client.send(rawJoinFrame(channel, uid, extra));
    return { client, joined: await client.next('joined') };
  };
  return { server: running, connect, join };
}
