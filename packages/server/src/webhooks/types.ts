import type { WireOfflineReason, WireProfile, WireRole } from '@holdfast/protocol';
import type { EndCause } from '../session/end-causes.js';

/** `startServer({ webhooks })`: where channel and member events are POSTed, signed. */
export interface WebhookOptions {
  /**
   * Each URL (http: or https:) receives every event: a channel's in the order they happened, up to
   * 8 channels' at once.
   */
  urls: string[];
  /**
   * The HMAC-SHA256 key of the `Holdfast-Signature` header: a secret of its own, shared with the
   * receivers only (not an app certificate: a receiver must not be able to mint tokens).
   */
  secret: string;
  /** An attempt that has no answer within this is a failed one. Default 10000 (Agora's 10 s). */
  timeoutMs?: number;
  /** An event not delivered this long after it happened is given up (logged, counted). Default 600000. */
  retryForMs?: number;
  /** Events waiting per URL; further ones are dropped (logged, counted) while the queue is full. Default 10000. */
  maxQueued?: number;
}

export const WEBHOOK_DEFAULTS = {
  timeoutMs: 10_000,
  retryForMs: 600_000,
  maxQueued: 10_000,
} as const;

/** The first retry waits this long; each next one twice as long, up to {@link MAX_BACKOFF_MS}. */
export const FIRST_BACKOFF_MS = 1000;
export const MAX_BACKOFF_MS = 60_000;

export const WEBHOOK_EVENTS = [
  'channel_created',
  'channel_destroyed',
  'user_joined',
  'user_left',
  'role_changed',
  'user_kicked',
  'token_expired',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

/** The JSON body of one webhook request. */
export interface WebhookEvent {
  /** Unique per event (a UUID): the same in every retry, so a receiver can drop duplicates. */
  id: string;
  event: WebhookEventName;
  appId: string;
  channel: string;
  /** Member events only. */
  uid?: number;
  /** Member events: the member's role (after the change for `role_changed`). */
  role?: WireRole;
  profile?: WireProfile;
  /** `role_changed`: the role before. */
  previousRole?: WireRole;
  /** `user_left`, `user_kicked`, `token_expired`: what the channel's members saw (`quit`, `dropped`, `kicked`). */
  reason?: WireOfflineReason;
  /** `user_left`, `user_kicked`, `token_expired`: how the session ended (`left`, `timed_out`, `banned`, …). */
  cause?: EndCause;
  /** When it happened, unix ms (the node's clock). */
  at: number;
  /** The node that saw it happen and sends it. */
  nodeId: string;
}

/** What this node's webhooks have done, counted (read by /metrics). */
export interface WebhookCounts {
  /** Attempts answered 2xx. */
  sent: number;
  /** Attempts that failed and were scheduled again. */
  retried: number;
  /** Events given up after `retryForMs`. */
  failed: number;
  /** Events dropped because their URL's queue was full. */
  dropped: number;
}
