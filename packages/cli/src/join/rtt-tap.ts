import { decodeServerFrame } from '@holdfast/protocol';
import type { TransportFactory } from '@holdfast/sdk';

/** The latest round-trip time seen on a tapped transport. */
export interface RttProbe {
  readonly rttMs: number | undefined;
}

/**
 * Wraps a transport factory to read the round-trip time off the SDK's own keepalives: the
 * client's `ping` carries its send time and the server's `pong` echoes it (with the time the server
 * held it before answering, taken out). The public engine API
 * reports RTT only at leave (onLeaveChannel's lastmileDelay), and a live view needs it now.
 */
export function tapRtt(inner: TransportFactory, now: () => number = Date.now): [TransportFactory, RttProbe] {
  const probe = { rttMs: undefined as number | undefined };
  const factory: TransportFactory = (url, handlers) =>
    inner(url, {
      ...handlers,
      onMessage(data) {
        // Cheap prefilter: only pongs are decoded a second time.
        if (data.includes('"pong"')) {
          const decoded = decodeServerFrame(data);
          if (decoded.ok && decoded.frame.type === 'pong')
            probe.rttMs = Math.max(0, now() - decoded.frame.t - (decoded.frame.held ?? 0));
        }
        handlers.onMessage(data);
      },
    });
  return [factory, probe];
}
