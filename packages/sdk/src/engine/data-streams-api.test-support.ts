import type { ClientFrame, StreamMessageEvent } from '@holdfast/protocol';
import type { FakeConnection } from '../testing/fake-server.js';

// Shared by the data-stream API tests of both engines (data-streams-api.test.ts: Agora,
// nertc-data-api.test.ts: NERTC).

export type Call = [string, ...unknown[]];
export const streamFrames = (c: FakeConnection) =>
  c.sent.filter((f): f is Extract<ClientFrame, { type: 'stream' }> => f.type === 'stream');
export const dataStates = (c: FakeConnection) =>
  c.sent.flatMap((f) => (f.type === 'data_state' ? [f.enabled] : []));
export const b64 = (...values: number[]) => btoa(String.fromCharCode(...values));
export const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

export function streamEvent(over: Partial<StreamMessageEvent> & { sseq: number }): StreamMessageEvent {
  return {
    kind: 'stream',
    uid: 2,
    streamId: 1,
    epoch: 500,
    data: b64(over.sseq),
    sentTs: 1_000,
    at: 1_700_000_000_000,
    ...over,
  };
}
