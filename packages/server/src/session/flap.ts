/**
 * Same-uid flapping. A resume from another socket takes a session's transport over: the older
 * transport is ended with `replaced`, and an SDK treats that as a dropped connection and resumes
 * again — so two sockets holding one session would take it from each other forever (before issue 16:
 * 1,700 times in 5 s). Counted per session, on every node that holds it: past
 * {@link FLAP_LIMIT} takeovers within {@link FLAP_WINDOW_MS}, the transport that loses is ended with
 * `same_uid_login` instead, which the SDK does not retry (Failed, SameUidLogin): the newest holder
 * keeps the session, the one before it stays out.
 *
 * A client that only reconnects never sees this: each takeover it causes ends its own earlier
 * socket, which it has already let go of.
 */
export const FLAP_WINDOW_MS = 10_000;
/** Takeovers allowed within the window; the next one is flapping. */
export const FLAP_LIMIT = 3;

/**
 * One more takeover at `now`: the takeovers still inside the window (at most FLAP_LIMIT + 1, this
 * one last) and whether this one is past the limit. Times from another node's clock that lie
 * in the future by more than the window are dropped as nonsense.
 */
export function noteTakeover(
  earlier: readonly number[] | undefined,
  now: number,
): { recent: number[]; flapping: boolean } {
  const recent = (earlier ?? []).filter((t) => now - t < FLAP_WINDOW_MS && t - now < FLAP_WINDOW_MS);
  recent.push(now);
  const kept = recent.slice(-(FLAP_LIMIT + 1));
  return { recent: kept, flapping: kept.length > FLAP_LIMIT };
}

/** How the transport that lost is ended: retried (`replaced`), or for good (`same_uid_login`). */
export function takeoverEnd(flapping: boolean): {
  code: 'replaced' | 'same_uid_login';
  message: string;
} {
  return flapping
    ? {
        code: 'same_uid_login',
        message: `the session was taken over more than ${FLAP_LIMIT} times in ${FLAP_WINDOW_MS / 1000} s by another connection with the same uid: this one stays out`,
      }
    : { code: 'replaced', message: 'session resumed on another connection' };
}
