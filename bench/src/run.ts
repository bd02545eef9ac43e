import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { BenchArgsError, parseBenchArgs, USAGE } from './args.js';
import { kernelCutUnavailable } from './kernel-cut.js';
import { machineCpu, machineStealPercent, untilQuiet } from './machine-cpu.js';
import { mediaBench } from './media/scenario.js';
import { writeReport } from './report.js';
import { runMeta as baseMeta, resultsDir, sh } from './run-env.js';
import { bigChannel } from './scenarios/bigchannel.js';
import { capacity } from './scenarios/capacity.js';
import { consoleLoad } from './scenarios/console.js';
import { crossnode } from './scenarios/crossnode.js';
import { detection } from './scenarios/detection.js';
import { joinRate } from './scenarios/join.js';
import { presence } from './scenarios/presence.js';
import { recovery } from './scenarios/recovery.js';
import { streams } from './scenarios/streams.js';
import { FULL, QUICK } from './sizes.js';
import {
  FLOOR,
  HOLDFAST,
  LATENCY_FLOOR,
  RESUME_FLOOR,
  SIO_DEFAULT,
  SIO_TUNED,
  type SystemDef,
} from './systems.js';

/**
 * `npm run bench [-- --quick] [--only capacity,join,...] [--no-machine]` (`npm run bench -- --help`: every option)
 * Every scenario runs Holdfast and Socket.IO (default and tuned) in the same run, one after the
 * other, each on a fresh server process; loopback only; bounded in count and time. `crossnode`
 * (several Holdfast nodes on one Redis) is Holdfast only.
 *
 * A full run with `--only` merges into the existing `latest.json`: the scenarios it ran replace
 * theirs, the others are kept (with the first run's `meta`; this run's goes to `meta.partialRuns`).
 */
const args = process.argv.slice(2);
const parsed = (() => {
  try {
    return parseBenchArgs(args);
  } catch (err) {
    if (!(err instanceof BenchArgsError)) throw err;
    console.error(`bench: ${err.message} [${err.code}]\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (parsed.help) {
  console.log(USAGE);
  process.exit(0);
}
const { quick, only, systems: onlySystems } = parsed;
const base = quick ? QUICK : FULL;
const sizes =
  parsed.clients !== undefined ? { ...base, fault: { ...base.fault, clients: parsed.clients } } : base;
const want = (s: string) => !only || only.has(s);
const outDir = resultsDir(quick);
const results: Record<string, unknown> = {
  meta: {
    ...baseMeta(),
    quick,
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    cpu: os.cpus()[0]?.model ?? '',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    fdLimit: sh('bash -c "ulimit -n"'),
    socketIo: sh('node -p "require(\'socket.io/package.json\').version"'),
    sizes,
  },
};
if (parsed.reportOnly) {
  // Regenerates the tables, BENCHMARKS.md section and SVGs from the last full run's JSON.
  const { readFileSync } = await import('node:fs');
  writeReport(JSON.parse(readFileSync(`${outDir}/latest.json`, 'utf8')), outDir, true);
  process.exit(0);
}
const started = Date.now();
const log = (msg: string) => console.log(`[bench +${((Date.now() - started) / 1000).toFixed(0)}s] ${msg}`);
if (only && !quick) {
  // Keep the other scenarios' results of the last full run, so the report still has every table.
  const { existsSync, readFileSync } = await import('node:fs');
  const file = `${outDir}/latest.json`;
  if (existsSync(file)) {
    const prev = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const prevMeta = (prev.meta ?? {}) as { partialRuns?: unknown[] };
    const partial = { ...(results.meta as object), scenarios: [...only] };
    for (const s of only) delete prev[s];
    Object.assign(results, prev, {
      meta: { ...prevMeta, partialRuns: [...(prevMeta.partialRuns ?? []), partial] },
    });
  }
}
// A quick run of some scenarios only gets a file of its own, so two smokes never write the same file.
const quickName = only ? `quick-${[...only].sort().join('+')}` : 'quick';
const save = () => {
  writeFileSync(`${outDir}/${quick ? quickName : 'latest'}.json`, `${JSON.stringify(results, null, 1)}\n`);
  writeReport(results, outDir, !quick);
};

const hf: SystemDef = { ...HOLDFAST, params: { ...HOLDFAST.params, offlineAfterMs: sizes.offlineAfterMs } };
hf.remoteOfflineMs = sizes.offlineAfterMs;
const pick = (list: SystemDef[]) => list.filter((s) => !onlySystems || onlySystems.has(s.id));
const peers = [SIO_DEFAULT, SIO_TUNED];
const all = pick([HOLDFAST, ...peers]);
// The floor server: what 4 s detection costs at least (capacity), and the least a join or a
// presence announcement can take on this machine (join, presence) — the bound no peer can beat.
const capacitySystems = pick([HOLDFAST, ...peers, FLOOR]);
// The latency rows' floor writes its keepalives in small batches (see LATENCY_FLOOR).
const latencySystems = pick([HOLDFAST, ...peers, LATENCY_FLOOR]);
const faultSystems = pick([hf, ...(sizes.slowPeer ? peers : [SIO_TUNED])]);

/** What the harness adds to every result: which trial, and how busy the machine was just before it. */
export interface TrialTag {
  trial: number;
  /** os.loadavg()[0] per core just before the trial. */
  loadPerCore: number;
  /** Hypervisor steal during the trial, % of all cores (/proc/stat). */
  stealPercent: number;
  /** The whole machine's busy % over the 300 ms before the trial, after waiting (at most 30 s) for it to be under 30 %. */
  busyBeforePercent: number;
}

/** Full runs: before each trial, the previous one's teardown (100k sockets closing, say) is let finish. */
const settle = () => (quick ? Promise.resolve({ waitedMs: 0, busy: Number.NaN }) : untilQuiet(30, 30_000));
const loadPerCore = () => Math.round((os.loadavg()[0]! / os.cpus().length) * 100) / 100;

/**
 * One trial: waits for the machine to settle, logs `label` with its load, runs `fn`, and tags the
 * result with its trial, the load and busy % before it, and the hypervisor's steal during it.
 */
async function trialOf<T>(label: string, trial: number, fn: () => Promise<T>): Promise<T & TrialTag> {
  const { busy } = await settle();
  const load = loadPerCore();
  log(`${label} (load ${load}/core, ${busy} % busy)`);
  const cpu0 = machineCpu();
  const res = await fn();
  const r = {
    ...res,
    trial,
    loadPerCore: load,
    stealPercent: machineStealPercent(cpu0, machineCpu()),
    busyBeforePercent: busy,
  };
  console.log(JSON.stringify(r, (k, v) => (k === 'samples' || k.endsWith('Samples') ? undefined : v)));
  return r;
}

/** Runs `fn` for every system `runs` times, interleaved; every result is tagged with its trial and load. */
async function step<T>(
  name: string,
  list: SystemDef[],
  fn: (s: SystemDef, trial: number) => Promise<T>,
  runs = sizes.runs,
): Promise<Array<T & TrialTag>> {
  const out: Array<T & TrialTag> = [];
  for (let trial = 0; trial < runs; trial++) {
    const order = list.map((_, i) => list[(i + trial) % list.length]!);
    for (const s of order)
      out.push(
        await trialOf(`${name}: ${s.label}${runs > 1 ? ` trial ${trial + 1}/${runs}` : ''}`, trial, () =>
          fn(s, trial),
        ),
      );
  }
  return out;
}

// A run on a busy machine measures the machine: refuse it (--refuse-busy) or mark it in the report.
const BUSY_PER_CORE = 0.3;
const startLoad = loadPerCore();
// A partial run (--only, merged into the last full run's results) records its load in its own entry.
const runMeta = (() => {
  const meta = results.meta as Record<string, unknown> & { partialRuns?: Array<Record<string, unknown>> };
  return meta.partialRuns?.at(-1) ?? meta;
})();
runMeta.loadPerCoreBefore = startLoad;
if (startLoad > BUSY_PER_CORE) {
  runMeta.busy = true;
  const msg = `the machine is busy before the run: 1-min load ${startLoad} per core (> ${BUSY_PER_CORE})`;
  if (parsed.refuseBusy) {
    console.error(`${msg}; refusing (--refuse-busy)`);
    process.exit(2);
  }
  console.warn(`${msg}; the report marks every table of this run`);
}

if (want('capacity')) {
  results.capacity = await step('capacity (one server process)', capacitySystems, (s) =>
    capacity(s, sizes.capacity),
  );
  save();
}
if (want('join')) {
  results.join = await step('join rate', latencySystems, (s) => joinRate(s, sizes.join));
  save();
}
if (want('presence')) {
  const out = [];
  for (const m of sizes.presence.members)
    out.push(
      ...(await step(`presence M=${m}`, latencySystems, (s) =>
        presence(s, {
          members: m,
          workers: sizes.presence.workers,
          warmupTrials: sizes.presence.warmupTrials,
          trials: Math.max(sizes.presence.trials, Math.ceil(sizes.presence.minSamples / m)),
        }),
      )),
    );
  results.presence = out;
  save();
}
if (want('console')) {
  const hfOnly = pick([HOLDFAST]);
  if (hfOnly.length)
    results.console = await step(
      `console: ${sizes.console.viewers} viewers, ${sizes.console.channels} channels`,
      hfOnly,
      (s) => consoleLoad(s, sizes.console),
    );
  save();
}
if (want('crossnode')) {
  const hfOnly = pick([HOLDFAST]);
  if (hfOnly.length)
    results.crossnode = await step(
      `crossnode M=${sizes.crossnode.members} on ${sizes.crossnode.nodes} nodes + Redis`,
      hfOnly,
      (s) => crossnode(s, sizes.crossnode),
    );
  save();
}
if (want('streams')) {
  results.streams = await step(
    `streams M=${sizes.streams.members}`,
    all,
    (s, trial) => streams(s, sizes.streams, trial),
    sizes.streams.trials,
  );
  save();
}
if (want('detection')) {
  results.detection = await step('detection', faultSystems, (s) => detection(s, sizes.fault));
  save();
}
if (want('recovery')) {
  // The kernel cuts the network where it can (root, iptables, ss -K): no proxy's CPU in the storm.
  const noKernel = await kernelCutUnavailable();
  const cutBy = noKernel ? 'proxy' : 'kernel';
  if (noKernel) console.log(`recovery: network cut by the fault proxies (${noKernel})`);
  const out = [];
  // The floor answers the real SDK's joins and resumes and does nothing else: the least a server can
  // spend on the storm (the clients' and the machine's part of it is the same for every system).
  const recoverySystems = [...faultSystems, ...pick([RESUME_FLOOR])];
  for (let trial = 0; trial < sizes.runs; trial++) {
    const order = recoverySystems.map((_, i) => recoverySystems[(i + trial) % recoverySystems.length]!);
    for (const s of order) {
      // Holdfast: with the OS's "network is back" signal and without; and once over the stock `ws` transport.
      const variants =
        s.id === 'holdfast'
          ? [
              { onlineEvent: true, lean: true },
              ...(quick ? [] : [{ onlineEvent: false, lean: true }]),
              ...(quick
                ? []
                : [
                    { onlineEvent: true, lean: true, backlog: 511 },
                    { onlineEvent: true, lean: false },
                  ]),
            ]
          : [{ onlineEvent: false, lean: true }];
      for (const { backlog, ...v } of variants as Array<{
        onlineEvent: boolean;
        lean: boolean;
        backlog?: number;
      }>) {
        const sys = backlog ? { ...s, params: { ...s.params, backlog } } : s;
        out.push(
          await trialOf(
            `recovery: ${s.label} ${JSON.stringify({ ...v, backlog })} trial ${trial + 1}/${sizes.runs}`,
            trial,
            () => recovery(sys, { ...sizes.fault, ...v, cutBy }),
          ),
        );
      }
    }
  }
  results.recovery = out;
  save();
}
// Big channel (issue 16 item 4), Holdfast only: full runs, and `--quick` only with `--only bigchannel`
// (also alone: node bench/dist/bigchannel-run.js [--rate N]).
if (only?.has('bigchannel') || (!only && !quick)) {
  const params = quick
    ? { checkpoints: [100, 300], block: 50, rate: 200, workers: 2, settleMs: 15_000 }
    : { checkpoints: [500, 1000, 2000, 5000], block: 100, rate: 100, workers: 2, settleMs: 60_000 };
  results.bigchannel = await step('big channel', pick([HOLDFAST]), (s, trial) =>
    bigChannel(s, params, trial),
  );
  (results.meta as Record<string, unknown>).bigchannelParams = params;
  save();
}
// Media (issue 14, bench/src/media): Holdfast's SFU vs Janus; full runs, and `--quick` only with `--only media`.
if (only?.has('media') || (!only && !quick)) {
  results.media = await mediaBench(quick, log, outDir, !quick);
  save();
}
// Last: the machine-level run saturates both cores, and is bounded by its connect budget.
if (want('machine')) {
  if (sizes.machine && !parsed.noMachine) {
    const m = sizes.machine;
    results.machine = await step('capacity (machine, several server processes)', capacitySystems, (s) =>
      capacity(s, { ...sizes.capacity, ...m }),
    );
    save();
  }
}
// Issue 17's item 3 as it asks: the same processes sharing one real Redis (the Redis engine, as
// a scaled-out deployment runs). Holdfast only: the peers have no shared state in these runs.
if (want('machineRedis')) {
  if (sizes.machineRedis && !parsed.noMachine) {
    const m = sizes.machineRedis;
    results.machineRedis = await step(
      'capacity (machine, Holdfast processes on one Redis)',
      pick([HOLDFAST]),
      (s) => capacity(s, { ...sizes.capacity, ...m, redis: true }),
    );
    save();
  }
}
log(`done: ${outDir}`);
