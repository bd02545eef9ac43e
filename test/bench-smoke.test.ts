import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface D {
  n: number;
  p50: number;
  p99: number;
}
interface Split {
  sameNode: D;
  otherNodes: D;
  missing: number;
  duplicates: number;
}
interface Quick {
  capacity: Array<{
    system: string;
    target: number;
    joined: number;
    rssPerConn: number;
    silentTooLong: number;
    droppedDuringIdle: number;
    droppedWhy: Record<string, number>;
  }>;
  machineRedis: Array<{
    system: string;
    servers: number;
    target: number;
    joined: number;
    silentTooLong: number;
    droppedWhy: Record<string, number>;
    redisCpuPercent: number;
    redisConnectCpuPercent: number;
  }>;
  join: Array<{
    system: string;
    offered: number;
    joined: number;
    failed: number;
    latency: D;
    cold: D;
    stealPercent: number;
    serverStalls?: { stallsOver10: number; loopMax: number; gcCount: number; gcMaxMs: number };
    loadgenStalls?: { stallsOver10: number; loopMax: number; gcCount: number; gcMaxMs: number };
  }>;
  presence: Array<{ system: string; members: number; missing: number; perMember: D }>;
  console: Array<{
    system: string;
    viewersAccepted: number;
    viewerBytesPerSecond: number;
    with: { failedJoins: number; joinLatency: D };
  }>;
  crossnode: Array<{
    system: string;
    nodes: number;
    members: number;
    trials: number;
    join: Split;
    leave: Split;
  }>;
  detection: Array<{
    system: string;
    clients: number;
    clientDetected: number;
    clientFromLastData: D;
    configuredClientMs: number;
    remoteDetected: number;
  }>;
  recovery: Array<{
    system: string;
    clients: number;
    recovered: number;
    remoteOffline: number;
    recovery: D;
    cutBy: 'proxy' | 'kernel';
    cpuPerClient: { server: number; clients: number; proxies: number };
  }>;
}

/**
 * The benchmark's CI smoke: `npm run bench -- --quick` runs every scenario for Holdfast and Socket.IO
 * and writes sane results. Only shapes and counts are checked, never absolute times (CI machines vary).
 */
describe('bench --quick', () => {
  it('runs every scenario for both systems and reports sane numbers', { timeout: 240_000 }, async () => {
    execFileSync('npx', ['tsc', '-b', 'bench'], { cwd: root, stdio: 'pipe' });
    execFileSync('node', ['bench/dist/run.js', '--quick'], { cwd: root, stdio: 'pipe', timeout: 230_000 });
    const r = JSON.parse(readFileSync(`${root}bench/results/tmp/quick.json`, 'utf8')) as Quick;
    const { kernelCutUnavailable } = await import(`${root}bench/dist/kernel-cut.js`);
    const kernelCut = (await kernelCutUnavailable()) ? 'proxy' : 'kernel';
    const systems = (list: Array<{ system: string }>) => new Set(list.map((x) => x.system));

    expect(systems(r.capacity)).toEqual(new Set(['holdfast', 'sio-default', 'sio-tuned', 'floor']));
    for (const c of r.capacity) {
      expect(c.joined).toBe(c.target);
      expect(c.rssPerConn).toBeGreaterThan(0);
      expect(c.silentTooLong).toBe(0);
      // Silence counts only open clients: a client the server ended shows here, with its end code.
      expect(c.droppedWhy).toEqual({});
      expect(c.droppedDuringIdle).toBe(0);
    }
    // Several Holdfast processes on one real redis-server (issue 17's item 3): all join and are
    // held, and the redis-server's own CPU is measured apart (a process that ran: above zero).
    expect(systems(r.machineRedis)).toEqual(new Set(['holdfast']));
    for (const m of r.machineRedis) {
      expect(m.servers).toBe(2);
      expect(m.joined).toBe(m.target);
      expect(m.silentTooLong).toBe(0);
      expect(m.droppedWhy).toEqual({});
      expect(m.redisConnectCpuPercent).toBeGreaterThan(0);
      expect(m.redisCpuPercent).toBeGreaterThanOrEqual(0);
    }
    // The floor runs the join and presence rows too: the least a ws server can take on this machine.
    expect(systems(r.join)).toEqual(new Set(['holdfast', 'sio-default', 'sio-tuned', 'floor']));
    for (const j of r.join) {
      expect(j.joined).toBe(j.offered);
      expect(j.failed).toBe(0);
      expect(j.latency.p50).toBeGreaterThan(0);
      expect(j.latency.p99).toBeGreaterThanOrEqual(j.latency.p50);
      // The warm-up's joins are measured apart: 200 ms at 100/s in the quick run.
      expect(j.cold.n).toBe(20);
      expect(j.latency.n).toBe(j.offered);
      expect(j.stealPercent).toBeGreaterThanOrEqual(0);
      // Where the tail comes from: the server's and the load generators' stalls over the measured joins.
      for (const st of [j.serverStalls, j.loadgenStalls]) {
        expect(st?.stallsOver10).toBeGreaterThanOrEqual(0);
        expect(st?.loopMax).toBeGreaterThanOrEqual(0);
        expect(st?.gcCount).toBeGreaterThanOrEqual(0);
        expect(st?.gcMaxMs).toBeGreaterThanOrEqual(0);
      }
    }
    expect(systems(r.presence)).toEqual(new Set(['holdfast', 'sio-default', 'sio-tuned', 'floor']));
    for (const p of r.presence) {
      expect(p.missing).toBe(0);
      expect(p.perMember.n).toBeGreaterThan(0);
    }
    // Console viewers on a node with channels: some accepted and fed, joins still complete.
    expect(systems(r.console)).toEqual(new Set(['holdfast']));
    for (const c of r.console) {
      expect(c.viewersAccepted).toBeGreaterThan(0);
      expect(c.viewerBytesPerSecond).toBeGreaterThan(0);
      expect(c.with.failedJoins).toBe(0);
      expect(c.with.joinLatency.n).toBeGreaterThan(0);
    }
    // Several Holdfast nodes on one real Redis: every member, on every node, gets the join and the leave.
    expect(systems(r.crossnode)).toEqual(new Set(['holdfast']));
    for (const x of r.crossnode) {
      expect(x.nodes).toBeGreaterThan(1);
      for (const s of [x.join, x.leave]) {
        expect(s.missing).toBe(0);
        expect(s.duplicates).toBe(0);
        expect(s.sameNode.n + s.otherNodes.n).toBe(x.trials * x.members);
        for (const d of [s.sameNode, s.otherNodes]) {
          expect(d.n).toBeGreaterThan(0);
          expect(d.p99).toBeGreaterThanOrEqual(d.p50);
        }
      }
    }
    expect(systems(r.detection)).toEqual(new Set(['holdfast', 'sio-tuned']));
    for (const d of r.detection) {
      expect(d.clientDetected).toBe(d.clients);
      expect(d.remoteDetected).toBe(d.clients);
      // Detection is timed from the last byte received: never before the configured time.
      expect(d.clientFromLastData.p50).toBeGreaterThanOrEqual(d.configuredClientMs - 50);
    }
    // The floor answers the real SDK's resumes too (the least a server can spend on the storm).
    expect(systems(r.recovery)).toEqual(new Set(['holdfast', 'sio-tuned', 'floor']));
    for (const x of r.recovery) {
      expect(x.recovered).toBe(x.clients);
      // Each process's CPU per client back: the reconnects cost the server, the libraries and the rig something.
      expect(x.cpuPerClient.server + x.cpuPerClient.clients + x.cpuPerClient.proxies).toBeGreaterThan(0);
      expect(x.cpuPerClient.clients).toBeGreaterThanOrEqual(0);
      // CI is root with iptables (scripts/ensure-test-deps.sh): the kernel cuts, no proxy runs.
      expect(x.cutBy).toBe(kernelCut);
      if (kernelCut === 'kernel') expect(x.cpuPerClient.proxies).toBe(0);
    }
    // The bench's iptables chain is gone once the run is over.
    if (kernelCut === 'kernel')
      expect(execFileSync('iptables', ['-S'], { encoding: 'utf8' })).not.toMatch(/HFBENCH/);
    // Resume inside the offline window: Holdfast's remote members see no presence flap; Socket.IO's do.
    const hf = r.recovery.find((x) => x.system === 'holdfast')!;
    expect(hf.remoteOffline).toBe(0);
    expect(r.recovery.find((x) => x.system === 'sio-tuned')!.remoteOffline).toBeGreaterThan(0);
  });
});

interface StreamPhase {
  senders: number;
  sent: number;
  skipped: number;
  heldBack: number;
  notOpen: number;
  refused: number;
  expected: number;
  delivered: number;
  missing: number;
  duplicates: number;
  gaps: number;
  closed: number;
  deliveredPerSec: number;
  latency: D & { max: number };
}
interface StreamsQuick {
  meta: {
    sizes: {
      streams: {
        members: number;
        trials: number;
        perSenderRate: number;
        phaseMs: number;
        latencySenders: number[];
      };
    };
  };
  streams: Array<{
    system: string;
    trial: number;
    members: number;
    latency: StreamPhase[];
    ramp: StreamPhase[];
    maxDeliveredPerSec: number;
  }>;
}

/**
 * The data-stream scenario alone (`--quick --only streams`, ~20 s): every system relays every
 * message of every sender to every other member of the channel, once, and the report has its section.
 */
describe('bench --quick --only streams', () => {
  it('relays every message once for Holdfast and Socket.IO and reports the section', {
    timeout: 90_000,
  }, () => {
    execFileSync('npx', ['tsc', '-b', 'bench'], { cwd: root, stdio: 'pipe' });
    execFileSync('node', ['bench/dist/run.js', '--quick', '--only', 'streams'], {
      cwd: root,
      stdio: 'pipe',
      timeout: 80_000,
    });
    const r = JSON.parse(readFileSync(`${root}bench/results/tmp/quick-streams.json`, 'utf8')) as StreamsQuick;
    const p = r.meta.sizes.streams;
    expect(r.streams.map((x) => x.system).sort()).toEqual(
      Array.from({ length: p.trials }, () => ['holdfast', 'sio-default', 'sio-tuned'])
        .flat()
        .sort(),
    );
    // Every sender's schedule has exactly rate × duration slots.
    const slots = (p.perSenderRate * p.phaseMs) / 1000;
    for (const x of r.streams) {
      expect(x.latency.map((ph) => ph.senders)).toEqual(p.latencySenders);
      expect(x.ramp.length).toBeGreaterThan(0);
      for (const ph of [...x.latency, ...x.ramp]) {
        expect(ph.sent).toBeGreaterThan(0);
        expect(ph.refused + ph.heldBack + ph.notOpen + ph.duplicates + ph.closed).toBe(0);
        expect(ph.expected).toBe(ph.sent * (x.members - 1));
        expect(ph.delivered).toBe(ph.expected);
        expect(ph.missing).toBe(0);
        expect(ph.gaps).toBe(0);
        expect(ph.latency.n).toBeGreaterThan(0);
        expect(ph.latency.p50).toBeGreaterThan(0);
        expect(ph.latency.p99).toBeGreaterThanOrEqual(ph.latency.p50);
        expect(ph.latency.max).toBeGreaterThanOrEqual(ph.latency.p99);
      }
      for (const ph of x.latency) expect(ph.sent + ph.skipped).toBe(ph.senders * slots);
    }
    const md = readFileSync(`${root}bench/results/tmp/latest.md`, 'utf8');
    expect(md).toContain('### 6. Data streams');
    expect(md).toContain('Ramp (b), step by step');
  });

  // Built by the test above. A typo must not start a 40-minute run of everything.
  it('refuses a misspelt scenario with its reason and exit status 2, and answers --help', () => {
    const bad = spawnSync('node', ['bench/dist/run.js', '--only', 'joni'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--only: unknown joni');
    expect(bad.stderr).toContain('[bad_value]');
    expect(bad.stdout).not.toContain('[bench +');
    const help = spawnSync('node', ['bench/dist/run.js', '--help'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: npm run bench');
  });
});
