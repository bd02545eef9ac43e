/** Whether this node should get new clients (/readyz), and why not. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface ReadinessInput {
  draining: boolean;
  /** The engine as the heartbeats find it: the last beat that went through, the last failure. */
  engine: { okAt: number; error: string | undefined };
  now: number;
  /** No successful heartbeat for this long: the engine is taken as unreachable (a beat that hangs). */
  staleAfterMs: number;
  /** The engine's name in the reason ('redis' or 'engine'). */
  engineName: string;
}

/**
 * A node is ready while it is not draining and its last heartbeat reached the engine, recently.
 * The heartbeat (every `timing.heartbeatMs`) is the probe: /readyz itself sends nothing to Redis,
 * so a load balancer polling it costs nothing.
 */
export function readiness(s: ReadinessInput): Readiness {
  if (s.draining) return { ready: false, reason: 'draining: the node is shutting down' };
  if (s.engine.error !== undefined)
    return { ready: false, reason: `${s.engineName} unreachable: ${s.engine.error}` };
  const silentMs = s.now - s.engine.okAt;
  if (silentMs > s.staleAfterMs)
    return {
      ready: false,
      reason: `${s.engineName} unreachable: no heartbeat went through for ${silentMs} ms`,
    };
  return { ready: true };
}
