import {
  ConnectionChangedReasonType as R,
  type RtcEngineContext,
  ConnectionStateType as S,
} from '@holdfast/sdk';
import { expect } from 'vitest';
import { RecordingClient } from './recorder.js';

/**
 * The recording clients a test file makes, released together after each test (the file's own
 * `afterEach` calls {@link RecordingClients.releaseAll} first, before it stops its servers, so no
 * client sees its server go away).
 */
export class RecordingClients {
  readonly #made: RecordingClient[] = [];

  /** A client of app `demo` (or `context.appId`) for `serverUrl`. */
  client(
    serverUrl: string | string[],
    context: Omit<Partial<RtcEngineContext>, 'serverUrl'> = {},
  ): RecordingClient {
    const c = new RecordingClient({ appId: 'demo', ...context, serverUrl });
    this.#made.push(c);
    return c;
  }

  releaseAll(): void {
    for (const c of this.#made.splice(0)) c.release();
  }
}

/** Joins `channel` as `uid` and waits for (Connected, JoinSuccess). */
export async function joined(c: RecordingClient, channel: string, uid: number, token = ''): Promise<void> {
  expect(c.join(channel, uid, token)).toBe(0);
  await c.waitState(S.ConnectionStateConnected, R.ConnectionChangedJoinSuccess);
}
