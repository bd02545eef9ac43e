import { type Engine, MemoryEngine, type RunningServer, startServer } from '@holdfast/server';

/** N server nodes sharing one engine: the in-process cluster (socket.io's test style). */
export async function startCluster(n: number, engine: Engine = new MemoryEngine(), offlineAfterMs = 3000) {
  const nodes: RunningServer[] = [];
  for (let i = 0; i < n; i++)
    nodes.push(
      await startServer({
        port: 0,
        apps: [{ appId: 'demo' }],
        logLevel: 'silent',
        engine,
        nodeId: `node-${String.fromCharCode(97 + i)}`,
        timing: { offlineAfterMs, heartbeatMs: 250 },
      }),
    );
  return {
    engine,
    nodes,
    async close() {
      await Promise.all(nodes.map((s) => s.close()));
      await engine.close();
    },
  };
}
