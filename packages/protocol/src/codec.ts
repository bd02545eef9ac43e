import { WireErrorCode as Code, type WireErrorCode } from './errors.js';
import {
  type ChannelEvent,
  type ClientFrame,
  MAX_CLIENT_FRAME_BYTES,
  MAX_SERVER_FRAME_BYTES,
  type ReportedState,
  type ReportFrame,
  type ServerFrame,
  type WireRole,
} from './frames.js';
import {
  MAX_ECHO_DELAY_MS,
  MAX_SDP_BYTES,
  type MediaKind,
  type MediaSubscribeFrame,
  MIN_ECHO_DELAY_MS,
  type TrackState,
} from './media/frames.js';
import { readMediaReport } from './media/report.js';
import { validateClientStreamFrame } from './streams/frames.js';

/** Largest `media_publish` / `media_answer` frame (an SDP of up to MAX_SDP_BYTES and its envelope). */
export const MAX_MEDIA_FRAME_BYTES = MAX_SDP_BYTES + 1024;

/** Longest resume secret a frame may carry (the server issues 32 characters). */
const MAX_RESUME_SECRET_CHARS = 128;

/** Result of decoding a frame: the frame, or a reason code and a sentence. */
export type DecodeResult<F> = { ok: true; frame: F } | { ok: false; code: WireErrorCode; message: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isRole = (v: unknown): v is WireRole => v === 'broadcaster' || v === 'audience';
const internRole = (v: WireRole): WireRole => (v === 'broadcaster' ? 'broadcaster' : 'audience');

const fail = (code: WireErrorCode, message: string) => ({ ok: false as const, code, message });
const bad = (message: string) => fail(Code.MalformedFrame, message);

/** UTF-8 size of a frame, measured exactly only when it could be near the limit. */
function sizeOver(data: string | Uint8Array, maxBytes: number): number | undefined {
  if (typeof data !== 'string') return data.byteLength > maxBytes ? data.byteLength : undefined;
  if (data.length * 3 <= maxBytes) return undefined; // every UTF-16 unit is at most 3 UTF-8 bytes
  const size = new TextEncoder().encode(data).byteLength;
  return size > maxBytes ? size : undefined;
}

const tooLarge = (size: number, maxBytes: number) =>
  fail(Code.FrameTooLarge, `frame of ${size} bytes exceeds the ${maxBytes}-byte limit`);

const SDP_PREFIXES = ['{"type":"media_publish",', '{"type":"media_answer",', '{"type":"media_sub_offer",'];
const SDP_PREFIX_BYTES = SDP_PREFIXES.map((p) => new TextEncoder().encode(p));
const startsWithBytes = (data: Uint8Array, prefix: Uint8Array): boolean => {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
};
/**
 * Frames as the SDK encodes them: an SDP frame starts with its type. Compared in place: this runs
 * on every frame a server reads (a decoded head was an allocation per ping).
 */
function mayCarrySdp(data: string | Uint8Array): boolean {
  return typeof data === 'string'
    ? SDP_PREFIXES.some((p) => data.startsWith(p))
    : SDP_PREFIX_BYTES.some((p) => startsWithBytes(data, p));
}

/** `told` is the limit named in the refusal (the general one, when `maxBytes` is a type's larger one). */
function parse(data: string | Uint8Array, maxBytes: number, told = maxBytes): DecodeResult<Obj> {
  const size = sizeOver(data, maxBytes);
  if (size !== undefined) return tooLarge(size, told);
  let value: unknown;
  try {
    value = JSON.parse(
      typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data),
    );
  } catch {
    return bad('frame is not valid UTF-8 JSON');
  }
  if (!isObj(value)) return bad('frame must be a JSON object');
  if (typeof value.type !== 'string') return bad('frame has no string "type"');
  return { ok: true, frame: value };
}

/** Decodes and validates a client → server frame. Never throws. */
export function decodeClientFrame(
  data: string | Uint8Array,
  maxBytes = MAX_CLIENT_FRAME_BYTES,
): DecodeResult<ClientFrame> {
  // SDP frames may be larger than the general limit (up to MAX_MEDIA_FRAME_BYTES); any other frame
  // over it is refused before parsing, so oversize garbage costs no JSON parse.
  const limit = mayCarrySdp(data) ? Math.max(maxBytes, MAX_MEDIA_FRAME_BYTES) : maxBytes;
  const parsed = parse(data, limit, maxBytes);
  if (!parsed.ok) return parsed;
  const f = parsed.frame;
  if (
    limit !== maxBytes &&
    f.type !== 'media_publish' &&
    f.type !== 'media_answer' &&
    f.type !== 'media_sub_offer'
  ) {
    const size = sizeOver(data, maxBytes);
    if (size !== undefined) return tooLarge(size, maxBytes);
  }
  switch (f.type) {
    case 'media_publish':
      return isStr(f.sdp, MAX_SDP_BYTES) && f.sdp.length > 0
        ? { ok: true, frame: { type: 'media_publish', sdp: f.sdp } }
        : bad(`media_publish.sdp must be a non-empty string of at most ${MAX_SDP_BYTES} characters`);
    case 'media_answer':
      if (!isInt(f.version)) return bad('media_answer.version must be an integer');
      return isStr(f.sdp, MAX_SDP_BYTES) && f.sdp.length > 0
        ? { ok: true, frame: { type: 'media_answer', version: f.version, sdp: f.sdp } }
        : bad(`media_answer.sdp must be a non-empty string of at most ${MAX_SDP_BYTES} characters`);
    case 'media_sub_offer':
      return isStr(f.sdp, MAX_SDP_BYTES) && f.sdp.length > 0
        ? { ok: true, frame: { type: 'media_sub_offer', sdp: f.sdp } }
        : bad(`media_sub_offer.sdp must be a non-empty string of at most ${MAX_SDP_BYTES} characters`);
    case 'media_state':
      return isTrackState(f.audio) && isTrackState(f.video)
        ? { ok: true, frame: { type: 'media_state', audio: f.audio, video: f.video } }
        : bad('media_state.audio and .video must be "on", "muted" or "off"');
    case 'media_unpublish':
      return { ok: true, frame: { type: 'media_unpublish' } };
    case 'media_reset':
      return { ok: true, frame: { type: 'media_reset' } };
    case 'media_subscribe': {
      if (typeof f.audio !== 'boolean' || typeof f.video !== 'boolean')
        return bad('media_subscribe.audio and .video must be booleans');
      const paused = trackRefs(f.paused);
      const wanted = trackRefs(f.wanted);
      if (!paused || !wanted)
        return bad('media_subscribe.paused/wanted must be lists of { uid, kind } (at most 256)');
      const frame: MediaSubscribeFrame = { type: 'media_subscribe', audio: f.audio, video: f.video };
      if (paused.length) frame.paused = paused;
      if (wanted.length) frame.wanted = wanted;
      if (f.echo !== undefined) {
        const e = f.echo;
        if (!isObj(e) || !isInt(e.delayMs) || e.delayMs < MIN_ECHO_DELAY_MS || e.delayMs > MAX_ECHO_DELAY_MS)
          return bad(`media_subscribe.echo must be { delayMs: ${MIN_ECHO_DELAY_MS}..${MAX_ECHO_DELAY_MS} }`);
        frame.echo = { delayMs: e.delayMs };
      }
      return { ok: true, frame };
    }
    case 'join': {
      if (!isInt(f.v)) return bad('join.v must be an integer');
      if (!isStr(f.appId, 256)) return bad('join.appId must be a string');
      if (!isStr(f.channel, 1024)) return bad('join.channel must be a string');
      if (!isNum(f.uid)) return bad('join.uid must be a number');
      if (f.token !== undefined && !isStr(f.token)) return bad('join.token must be a string');
      if (!isRole(f.role)) return bad('join.role must be "broadcaster" or "audience"');
      if (f.profile !== 'communication' && f.profile !== 'live')
        return bad('join.profile must be "communication" or "live"');
      if (f.batch !== undefined && typeof f.batch !== 'boolean') return bad('join.batch must be a boolean');
      // The literals, not the parsed strings: a server keeps them for every session's life.
      f.role = internRole(f.role);
      f.profile = f.profile === 'live' ? 'live' : 'communication';
      if (f.resume !== undefined) {
        const r = f.resume;
        if (
          !isObj(r) ||
          !isStr(r.sessionId, 128) ||
          !isStr(r.secret, MAX_RESUME_SECRET_CHARS) ||
          r.secret.length === 0 ||
          !isInt(r.lastSeq) ||
          r.lastSeq < 0 ||
          (r.media !== undefined && typeof r.media !== 'boolean')
        )
          return bad(
            'join.resume must be { sessionId: string, secret: non-empty string, lastSeq: integer >= 0, media?: boolean }',
          );
      }
      return { ok: true, frame: f as unknown as ClientFrame };
    }
    case 'leave':
      return { ok: true, frame: { type: 'leave' } };
    case 'ping':
      if (!isNum(f.t)) return bad('ping.t must be a number');
      if (f.ack !== undefined && !isInt(f.ack)) return bad('ping.ack must be an integer');
      if (f.rtt !== undefined && !isNum(f.rtt)) return bad('ping.rtt must be a number');
      return { ok: true, frame: f as unknown as ClientFrame };
    case 'set_role':
      if (!isInt(f.id)) return bad('set_role.id must be an integer');
      if (!isRole(f.role)) return bad('set_role.role must be "broadcaster" or "audience"');
      f.role = internRole(f.role);
      return { ok: true, frame: f as unknown as ClientFrame };
    case 'renew_token':
      if (!isInt(f.id)) return bad('renew_token.id must be an integer');
      if (!isStr(f.token)) return bad('renew_token.token must be a string');
      return { ok: true, frame: f as unknown as ClientFrame };
    case 'report':
      if (!Array.isArray(f.states) || f.states.length > MAX_REPORTED_STATES)
        return bad(`report.states must be a list of at most ${MAX_REPORTED_STATES}`);
      if (
        !f.states.every(
          (x) => isObj(x) && isNum(x.at) && STATES.has(x.state as string) && isStr(x.reason, 64),
        )
      )
        return bad('report.states entries must be { at, state, reason }');
      {
        const media = readMediaReport(f.media, f.mediaEvents);
        if (!media.ok) return bad(media.problem);
        const frame: ReportFrame = { type: 'report', states: f.states as ReportedState[] };
        if (media.media) frame.media = media.media;
        if (f.mediaEvents !== undefined) frame.mediaEvents = media.events;
        return { ok: true, frame };
      }
    case 'data_state':
      if (typeof f.enabled !== 'boolean') return bad('data_state.enabled must be a boolean');
      return { ok: true, frame: { type: 'data_state', enabled: f.enabled } };
    case 'stream': {
      const r = validateClientStreamFrame(f);
      if (!r.ok) return bad(`stream: ${STREAM_ERRORS[r.error]}`);
      return { ok: true, frame: r.frame };
    }
    default:
      return fail(Code.UnknownFrameType, `unknown frame type "${String(f.type).slice(0, 32)}"`);
  }
}

const STREAM_ERRORS = {
  not_object: 'must be an object',
  bad_type: 'type must be "stream"',
  bad_stream_id: 'streamId must be an integer from 1 to 5',
  bad_epoch: 'epoch must be a positive safe integer',
  bad_seq: 'seq must be a positive safe integer',
  bad_sent_ts: 'sentTs must be unix ms (an integer >= 0)',
  bad_base64: 'data must be standard padded base64',
  empty: 'data must not be empty',
  too_large: 'data exceeds 1,024 bytes once decoded (ErrSizeTooLarge)',
} as const;

const isTrackState = (v: unknown): v is TrackState => v === 'on' || v === 'muted' || v === 'off';
const isKind = (v: unknown): v is MediaKind => v === 'audio' || v === 'video';
function trackRefs(v: unknown): Array<{ uid: number; kind: MediaKind }> | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 256) return undefined;
  const out: Array<{ uid: number; kind: MediaKind }> = [];
  for (const x of v) {
    if (!isObj(x) || !isInt(x.uid) || !isKind(x.kind)) return undefined;
    out.push({ uid: x.uid, kind: x.kind });
  }
  return out;
}

/** Most state changes one report may carry. */
export const MAX_REPORTED_STATES = 64;
const STATES = new Set(['disconnected', 'connecting', 'connected', 'reconnecting', 'failed']);

const OFFLINE_REASONS = new Set(['quit', 'dropped', 'become_audience', 'kicked']);
function isEvent(e: unknown): e is ChannelEvent {
  if (!isObj(e) || !isInt(e.uid)) return false;
  if (e.kind === 'stream')
    return (
      isInt(e.streamId) &&
      isInt(e.epoch) &&
      isInt(e.sseq) &&
      typeof e.data === 'string' &&
      isNum(e.sentTs) &&
      isNum(e.at)
    );
  if (e.kind === 'data_state') return typeof e.enabled === 'boolean';
  if (e.kind === 'media') return isTrackState(e.audio) && isTrackState(e.video);
  return e.kind === 'user_joined' || (e.kind === 'user_offline' && OFFLINE_REASONS.has(e.reason as string));
}

const isAckList = (v: unknown): boolean =>
  v === undefined || (Array.isArray(v) && v.every((a) => isObj(a) && isInt(a.epoch) && isInt(a.seq)));

/**
 * Decodes a server → client frame. The SDK trusts its server less than fully:
 * shapes are checked so a broken server gives a clear error, not a crash deep in a callback.
 */
export function decodeServerFrame(
  data: string | Uint8Array,
  maxBytes = MAX_SERVER_FRAME_BYTES,
): DecodeResult<ServerFrame> {
  const parsed = parse(data, maxBytes);
  if (!parsed.ok) return parsed;
  const f = parsed.frame;
  const ok = { ok: true as const, frame: f as unknown as ServerFrame };
  switch (f.type) {
    case 'ka':
    case 'left':
    case 'media_moved':
      return ok;
    case 'pong':
      if (!isNum(f.t)) return bad('pong.t must be a number');
      if (f.held !== undefined && !(isNum(f.held) && f.held >= 0))
        return bad('pong.held must be a number of ms, 0 or more');
      return isAckList(f.acks) ? ok : bad('pong.acks must be a list of { epoch, seq }');
    case 'media_publish_answer':
    case 'media_sub_answer':
      return isStr(f.sdp, 1 << 20) ? ok : bad(`${f.type} must carry sdp`);
    case 'media_offer':
      return isInt(f.version) &&
        isStr(f.sdp, 1 << 20) &&
        Array.isArray(f.tracks) &&
        f.tracks.every(
          (t) => isObj(t) && isStr(t.mid, 64) && isInt(t.uid) && isKind(t.kind) && isTrackState(t.state),
        )
        ? ok
        : bad('media_offer must carry version, sdp and tracks');
    case 'media_error':
      return isStr(f.code) && isStr(f.message) ? ok : bad('media_error must carry code and message');
    case 'media_snapshot':
      return Array.isArray(f.members) &&
        f.members.every((m) => isObj(m) && isInt(m.uid) && isTrackState(m.audio) && isTrackState(m.video))
        ? ok
        : bad('media_snapshot must carry members: { uid, audio, video }[]');
    case 'stream_refused':
      return isInt(f.streamId) && isInt(f.epoch) && isInt(f.seq) && isStr(f.code) && isStr(f.message)
        ? ok
        : bad('stream_refused must carry streamId, epoch, seq, code and message');
    case 'event':
      return isInt(f.seq) && isEvent(f.event) ? ok : bad('event must carry seq and a known event');
    case 'batch':
      return Array.isArray(f.frames) &&
        f.frames.length > 0 &&
        f.frames.every((e) => isObj(e) && e.type === 'event' && isInt(e.seq) && isEvent(e.event))
        ? ok
        : bad('batch must carry a non-empty list of event frames');
    case 'joined':
      return isStr(f.sessionId) &&
        (f.resumeSecret === undefined || isStr(f.resumeSecret, MAX_RESUME_SECRET_CHARS)) &&
        isInt(f.uid) &&
        Array.isArray(f.members) &&
        isInt(f.seq) &&
        isInt(f.keepaliveMs) &&
        isAckList(f.streamAcks)
        ? ok
        : bad('joined is missing sessionId, uid, members, seq or keepaliveMs, or has a bad resumeSecret');
    case 'sync':
      return isInt(f.seq) && Array.isArray(f.members) && f.members.every((m) => isObj(m) && isInt(m.uid))
        ? ok
        : bad('sync must carry seq and members');
    case 'end':
      return isStr(f.code) && isStr(f.message) ? ok : bad('end must carry code and message');
    case 'role_result':
    case 'token_result':
      return isInt(f.id) && typeof f.ok === 'boolean' ? ok : bad(`${f.type} must carry id and ok`);
    default:
      return fail(Code.UnknownFrameType, `unknown frame type "${String(f.type).slice(0, 32)}"`);
  }
}

/** Encodes any frame. Frames are JSON text: readable in browser devtools and logs. */
export function encodeFrame(frame: ClientFrame | ServerFrame): string {
  return JSON.stringify(frame);
}
