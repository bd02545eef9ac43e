import { MAX_DATA_STREAMS, MAX_STREAM_MESSAGE_BYTES } from './limits.js';

/**
 * Client → server: one data-stream message.
 * - `streamId`: the sender's stream (1..{@link MAX_DATA_STREAMS}).
 * - `epoch`: a random id the SDK picks when it creates the stream; with the uid it names the stream
 *   across sessions, so the server can drop a message a reconnecting sender sends again.
 * - `seq`: the sender's per-stream sequence (1, 2, …); the server accepts only a seq above the last.
 * - `data`: the payload, standard padded base64 (1..1,024 bytes once decoded).
 * - `sentTs`: the sender's unix ms when the app called send.
 */
export interface ClientStreamFrame {
  type: 'stream';
  streamId: number;
  epoch: number;
  seq: number;
  data: string;
  sentTs: number;
  ordered?: boolean;
}

/** Why the server refused one of the client's stream messages (`stream_refused`). */
export type StreamRefusalCode =
  | 'too_large'
  | 'too_often'
  | 'bitrate'
  | 'not_broadcaster'
  /** The engine could not take the message (e.g. Redis down): not sent; the client may try again. */
  | 'not_sent';

/** Server → client: one of the client's messages was not forwarded, and why (never silent). */
export interface StreamRefusedFrame {
  type: 'stream_refused';
  streamId: number;
  epoch: number;
  seq: number;
  code: StreamRefusalCode;
  message: string;
}

/** The last seq the server accepted on one of the sender's streams (by epoch). */
export interface StreamAck {
  epoch: number;
  seq: number;
}

export type StreamFrameError =
  | 'not_object'
  | 'bad_type'
  | 'bad_stream_id'
  | 'bad_epoch'
  | 'bad_seq'
  | 'bad_sent_ts'
  | 'bad_base64'
  | 'empty'
  | 'too_large';

export type StreamFrameResult =
  | { ok: true; frame: ClientStreamFrame; bytes: number }
  | { ok: false; error: StreamFrameError };

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Longest base64 text of a payload of `bytes` bytes. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/** Decoded size of well-formed base64, or undefined when `s` is not strict padded base64. */
export function base64DecodedBytes(s: string): number | undefined {
  if (s.length % 4 !== 0 || !B64.test(s)) return undefined;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

const isSafeUint = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/**
 * Validates a decoded JSON value as a {@link ClientStreamFrame}. The size is checked before the
 * base64 scan, so junk of any length costs O(1).
 */
export function validateClientStreamFrame(
  value: unknown,
  maxBytes = MAX_STREAM_MESSAGE_BYTES,
): StreamFrameResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, error: 'not_object' };
  const f = value as Record<string, unknown>;
  if (f.type !== 'stream') return { ok: false, error: 'bad_type' };
  if (!isSafeUint(f.streamId, 1) || f.streamId > MAX_DATA_STREAMS)
    return { ok: false, error: 'bad_stream_id' };
  if (!isSafeUint(f.epoch, 1)) return { ok: false, error: 'bad_epoch' };
  if (!isSafeUint(f.seq, 1)) return { ok: false, error: 'bad_seq' };
  if (!isSafeUint(f.sentTs, 0)) return { ok: false, error: 'bad_sent_ts' };
  if (typeof f.data !== 'string') return { ok: false, error: 'bad_base64' };
  if (f.data.length > base64Length(maxBytes)) return { ok: false, error: 'too_large' };
  const bytes = base64DecodedBytes(f.data);
  if (bytes === undefined) return { ok: false, error: 'bad_base64' };
  if (bytes === 0) return { ok: false, error: 'empty' };
  if (bytes > maxBytes) return { ok: false, error: 'too_large' };
  const frame: ClientStreamFrame = {
    type: 'stream',
    streamId: f.streamId,
    epoch: f.epoch,
    seq: f.seq,
    data: f.data,
    sentTs: f.sentTs,
  };
  if (f.ordered === true) frame.ordered = true;
  return { ok: true, frame, bytes };
}

/** Standard base64 of bytes (browser and Node, no Buffer needed). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    bin += String.fromCharCode(...bytes.subarray(i, Math.min(i + 0x8000, bytes.length)));
  return btoa(bin);
}

/** Bytes of standard base64 (the server has validated it; a bad string throws). */
export function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
