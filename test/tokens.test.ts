import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ErrorCodeType, ConnectionChangedReasonType as R, ConnectionStateType as S } from '@holdfast/sdk';
import { type RunningServer, startServer } from '@holdfast/server';
import agoraToken from 'agora-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingClient } from './support/recorder.js';
import { SkewClock } from './support/skew-clock.js';

const { RtcTokenBuilder, RtcRole } = agoraToken;
const APP = '0123456789abcdef0123456789abcdef';
const CERT = 'fedcba9876543210fedcba9876543210';
const OTHER_CERT = '00000000000000000000000000000001';
const cli = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));

let server: RunningServer;
const clock = new SkewClock();
const clients: RecordingClient[] = [];

beforeAll(async () => {
  server = await startServer({
    port: 0,
    apps: [{ appId: APP, appCertificate: CERT }],
    logLevel: 'silent',
    clock,
  });
});
afterAll(async () => {
  for (const c of clients) c.release();
  await server.close();
});

/** Token from the public agora-token package: the independent builder. */
function agora(channel: string, uid: number, expireSeconds = 3600, cert = CERT) {
  return RtcTokenBuilder.buildTokenWithUid(
    APP,
    cert,
    channel,
    uid,
    RtcRole.PUBLISHER,
    expireSeconds,
    expireSeconds,
  );
}
function client() {
  const c = new RecordingClient({ appId: APP, serverUrl: server.url });
  clients.push(c);
  return c;
}

describe('AccessToken2 on a server whose app has a certificate', () => {
  it('accepts a token built by agora-token', async () => {
    const c = client();
    expect(c.join('tok', 5, agora('tok', 5))).toBe(0);
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  });

  it('a token for uid 0 lets any uid join', async () => {
    const c = client();
    c.join('tok-any', 77, agora('tok-any', 0));
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  });

  it('accepts a token built by `holdfast token` (our own builder)', async () => {
    const args = ['token', '--app-id', APP, '--app-certificate', CERT, '--channel', 'tok-cli', '--uid', '9'];
    const token = execFileSync(process.execPath, [cli, ...args, '--expire', '600'])
      .toString()
      .trim();
    expect(token.startsWith('007')).toBe(true);
    const c = client();
    c.join('tok-cli', 9, token);
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
  });

  // The reason keeps Agora's number (InvalidToken, 8); onError's message says which check failed.
  it.each([
    ['no token', () => '', 'invalid_token: this app requires a token'],
    [
      'a wrong signature',
      () => agora('tok-bad', 5, 3600, OTHER_CERT),
      'invalid_token: invalid_signature: token signature does not match the app certificate',
    ],
    [
      'a token for another channel',
      () => agora('elsewhere', 5),
      'invalid_token: wrong_channel: token is for another channel',
    ],
    [
      'a token for another uid',
      () => agora('tok-bad', 6),
      'invalid_token: wrong_uid: token is for another uid',
    ],
    [
      'a token for another app',
      () => RtcTokenBuilder.buildTokenWithUid(CERT, CERT, 'tok-bad', 5, RtcRole.PUBLISHER, 600, 600),
      'invalid_token: wrong_app: token is for another app id',
    ],
    ['garbage', () => '007garbage', 'invalid_token: malformed: '],
  ])(
    '%s → Disconnected/InvalidToken with onError saying which check failed',
    async (_name, token, message) => {
      const c = client();
      c.join('tok-bad', 5, token());
      await c.waitState(S.ConnectionStateDisconnected, R.ConnectionChangedInvalidToken, 3000);
      expect(c.named('onError')[0]?.args[0]).toBe(ErrorCodeType.ErrInvalidToken);
      expect(String(c.named('onError')[0]?.args[1])).toContain(message);
      expect(c.engine.getConnectionState()).toBe(S.ConnectionStateDisconnected);
    },
  );

  it('an expired token at join → Failed/TokenExpired + onRequestToken', async () => {
    const token = agora('tok-old', 5, 60);
    clock.offsetMs += 2 * 3600_000;
    try {
      const c = client();
      c.join('tok-old', 5, token);
      await c.waitState(S.ConnectionStateFailed, R.ConnectionChangedTokenExpired, 3000);
      expect(c.named('onRequestToken')).toHaveLength(1);
    } finally {
      clock.offsetMs -= 2 * 3600_000;
    }
  });

  it('onTokenPrivilegeWillExpire fires 30 s before the join privilege expires', async () => {
    const token = agora('tok-soon', 5, 32);
    const c = client();
    c.join('tok-soon', 5, token);
    const joined = await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const warn = await c.waitFor((e) => e.name === 'onTokenPrivilegeWillExpire', 5000);
    expect(warn.args).toEqual([token]);
    // A 32 s token is warned about after ~2 s (token times are whole seconds).
    expect(warn.at - joined.at).toBeGreaterThan(500);
    expect(warn.at - joined.at).toBeLessThan(3000);
  });

  it('the join privilege expiring while connected ends the session: Failed/TokenExpired + onRequestToken', async () => {
    const c = client();
    c.join('tok-end', 5, agora('tok-end', 5, 3));
    const joined = await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const failed = await c.waitState(S.ConnectionStateFailed, R.ConnectionChangedTokenExpired, 5000);
    expect(failed.at - joined.at).toBeGreaterThan(1500);
    expect(c.named('onRequestToken')).toHaveLength(1);
  });

  it('renewToken while connected extends the session in place (no reconnect, no state change)', async () => {
    const c = client();
    c.join('tok-renew', 5, agora('tok-renew', 5, 3));
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    const statesBefore = c.states().length;
    expect(c.engine.renewToken(agora('tok-renew', 5, 3600))).toBe(0);
    // Past the first token's expiry: still connected, no state change at all.
    await new Promise((r) => setTimeout(r, 4000));
    expect(c.states().length).toBe(statesBefore);
    expect(c.engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });

  it('renewToken with a bad token is refused with onError and the session carries on', async () => {
    const c = client();
    c.join('tok-renew-bad', 5, agora('tok-renew-bad', 5));
    await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
    c.engine.renewToken(agora('tok-renew-bad', 6));
    const err = await c.waitFor((e) => e.name === 'onError', 3000);
    expect(err.args[0]).toBe(ErrorCodeType.ErrInvalidToken);
    expect(c.engine.getConnectionState()).toBe(S.ConnectionStateConnected);
  });
});
