import {
  ErrorCodeType as E,
  isValidChannelName,
  MAX_ECHO_DELAY_MS,
  MAX_UID,
  MIN_ECHO_DELAY_MS,
  type WireProfile,
  type WireRole,
} from '@holdfast/protocol';
import type { EchoTestConfiguration } from './types.js';

/**
 * The uid an echo test joins as: Agora's echo-test token must be for uid 0xFFFFFFFF. The server
 * keeps a channel that holds this uid for it alone (see the README's echo-test paragraph).
 */
export const ECHO_TEST_UID = MAX_UID;

/** What a valid startEchoTest asks for. */
export interface EchoTestRequest {
  channel: string;
  token: string | undefined;
  audio: boolean;
  video: boolean;
  delayMs: number;
  view: HTMLElement | undefined;
}

/** Where the engine is when startEchoTest is called. */
export interface EchoTestContext {
  initialized: boolean;
  /** An echo test is running (started, not stopped). */
  running: boolean;
  /** The engine is in a channel (any status but disconnected). */
  inChannel: boolean;
  role: WireRole;
  profile: WireProfile;
}

const isElement = (v: unknown): v is HTMLElement =>
  typeof v === 'object' && v !== null && typeof (v as HTMLElement).appendChild === 'function';
const optBool = (v: unknown, dflt: boolean): boolean | undefined =>
  v === undefined ? dflt : typeof v === 'boolean' ? v : undefined;

/**
 * Agora's startEchoTest checks, pure: the request, or the negative error code to return.
 * -7 not initialized; -8 a test already running or the engine in a channel (one connection: the
 * test is a channel of its own); -5 an audience member in live broadcasting (only hosts may test);
 * -2 a config that is not one: interval outside 2..10 s or not an integer, no valid channelId,
 * a non-string token, a non-boolean enable flag, neither audio nor video, a view that is not an element.
 */
export function echoTestRequest(
  config: EchoTestConfiguration | undefined,
  ctx: EchoTestContext,
): { ok: true; request: EchoTestRequest } | { ok: false; code: number } {
  if (!ctx.initialized) return { ok: false, code: -E.ErrNotInitialized };
  if (ctx.running || ctx.inChannel) return { ok: false, code: -E.ErrInvalidState };
  if (ctx.profile === 'live' && ctx.role === 'audience') return { ok: false, code: -E.ErrRefused };
  const bad = { ok: false as const, code: -E.ErrInvalidArgument };
  if (!config || typeof config !== 'object') return bad;
  const interval = config.intervalInSeconds ?? 2;
  const delayMs = interval * 1000;
  if (!Number.isInteger(interval) || delayMs < MIN_ECHO_DELAY_MS || delayMs > MAX_ECHO_DELAY_MS) return bad;
  const audio = optBool(config.enableAudio, true);
  const video = optBool(config.enableVideo, false);
  if (audio === undefined || video === undefined || (!audio && !video)) return bad;
  const channel = config.channelId;
  if (typeof channel !== 'string' || !isValidChannelName(channel)) return bad;
  const token = config.token ?? undefined;
  if (token !== undefined && typeof token !== 'string') return bad;
  const view = config.view ?? undefined;
  if (view !== undefined && !isElement(view)) return bad;
  return {
    ok: true,
    request: { channel, token: token || undefined, audio, video, delayMs, view },
  };
}
