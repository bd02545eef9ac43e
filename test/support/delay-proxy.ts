import net from 'node:net';

/**
 * A TCP proxy that delays every chunk, both ways, by `delayMs` plus a random 0..`jitterMs`, and
 * never reorders (a chunk leaves no earlier than the one before it): latency and jitter on a real
 * socket. This kernel has no `netem` qdisc (tc ... netem: "Specified qdisc kind is unknown"), so
 * delay stays in user space, beside the fault proxy's blackhole and reset.
 */
export interface DelayProxy {
  readonly url: string;
  set(delayMs: number, jitterMs?: number): void;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number): Promise<DelayProxy> {
  let delay = 0;
  let jitter = 0;
  const sockets = new Set<net.Socket>();
  // One FIFO per direction drained by one timer: two timers due in the same millisecond may fire
  // in either order, and a reordered chunk would be a reordered (or torn) WebSocket frame.
  const pipe = (from: net.Socket, to: net.Socket): void => {
    const queue: Array<{ at: number; chunk: Buffer | null }> = [];
    let timer: NodeJS.Timeout | undefined;
    const drain = (): void => {
      timer = undefined;
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (chunk === null) to.destroy();
        else if (!to.destroyed) to.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(drain, Math.max(0, queue[0]!.at - Date.now()));
    };
    const push = (chunk: Buffer | null): void => {
      const last = queue.at(-1)?.at ?? 0;
      queue.push({ at: Math.max(last, Date.now() + delay + Math.random() * jitter), chunk });
      if (timer === undefined) timer = setTimeout(drain, Math.max(0, queue[0]!.at - Date.now()));
    };
    from.on('data', (chunk: Buffer) => push(chunk));
    from.on('close', () => push(null));
  };
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    set(d, j = 0) {
      delay = d;
      jitter = j;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
