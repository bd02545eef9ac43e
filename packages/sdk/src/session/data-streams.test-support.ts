import {
  type ClientStreamFrame,
  type EventFrame,
  type StreamMessageEvent,
  type StreamRefusedFrame,
  TestClock,
} from '@holdfast/protocol';
import { DataStreams } from './data-streams.js';

// DataStreams alone: a TestClock, a fake transmit the test switches on and off, and a listener
// that records every call in order. Shared by data-streams-sending.test.ts,
// data-streams-retention.test.ts and data-streams-receiving.test.ts.

export const LOCAL_UID = 77;
type Told = ['message', number, number, number[], number] | ['error', number, number, number, number, number];

export let clock: TestClock;
export let told: Told[];
export let wire: ClientStreamFrame[];
export let streams: DataStreams;
export let epochs: number[];

function make(online: () => boolean): DataStreams {
  // A fixed sequence of "random" values: each stream's epoch is known to the test.
  const randoms = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.15, 0.25];
  let i = 0;
  return new DataStreams(
    clock,
    {
      message: (uid, streamId, data, sentTs) => told.push(['message', uid, streamId, [...data], sentTs]),
      error: (uid, streamId, code, missed, cached) =>
        told.push(['error', uid, streamId, code, missed, cached]),
    },
    (frame) => {
      if (!online()) return false;
      wire.push(frame);
      return true;
    },
    () => LOCAL_UID,
    () => {
      const r = randoms[i++ % randoms.length]!;
      epochs.push(1 + Math.floor(r * (Number.MAX_SAFE_INTEGER - 1)));
      return r;
    },
  );
}

/**
 * Each test's set-up: a fresh TestClock, listener record, wire and DataStreams. `online` says
 * whether the fake transmit takes a frame (a test that switches it keeps its own flag).
 */
export function setupStreams(online: () => boolean = () => true): void {
  clock = new TestClock();
  told = [];
  wire = [];
  epochs = [];
  streams = make(online);
}

export const bytes = (...values: number[]) => new Uint8Array(values);
export const seqs = (frames: ClientStreamFrame[]) => frames.map((f) => `${f.streamId}#${f.seq}`);
export const errors = () => told.filter((t) => t[0] === 'error');
export const messages = () => told.filter((t) => t[0] === 'message');
export const b64 = (...values: number[]) => btoa(String.fromCharCode(...values));

export function event(over: Partial<StreamMessageEvent> & { sseq: number }): StreamMessageEvent {
  return {
    kind: 'stream',
    uid: 5,
    streamId: 1,
    epoch: 1000,
    data: b64(over.sseq % 256),
    sentTs: 1,
    at: clock.now(),
    ...over,
  };
}
export const replayed = (seq: number, e: StreamMessageEvent): EventFrame => ({
  type: 'event',
  seq,
  event: e,
});
export function refusal(frame: ClientStreamFrame, code: StreamRefusedFrame['code']): StreamRefusedFrame {
  return {
    type: 'stream_refused',
    streamId: frame.streamId,
    epoch: frame.epoch,
    seq: frame.seq,
    code,
    message: code,
  };
}
