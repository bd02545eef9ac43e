// Dev helper: profile a server's idle window with N lean clients.
import { chunk, members, startTarget, startWorkers, stopAll } from './harness.js';
import { sleep } from './stats.js';
import { SYSTEMS, type SystemId } from './systems.js';

const sys = SYSTEMS[(process.argv[2] ?? 'holdfast') as SystemId];
const n = Number(process.argv[3] ?? 10000);
const t = await startTarget(sys);
const workers = await startWorkers(2, sys.keepaliveMs);
const parts = chunk(members(1, n, 10, 'c'), 2);
await Promise.all(
  workers.map((w, i) => w.call('rawOpen', { target: t.target, members: parts[i], concurrency: 100 })),
);
await sleep(2000);
await t.child.call('profileStart');
await sleep(8000);
await t.child.call('profileStop', { file: `/tmp/idle-${sys.id}.cpuprofile` });
await stopAll(workers);
await t.stop();
