import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bigChannelSection } from './report-bigchannel.js';
import { type BigChannelParams, type BigChannelResult, bigChannel } from './scenarios/bigchannel.js';
import { HOLDFAST } from './systems.js';

/**
 * `node bench/dist/bigchannel-run.js [--quick] [--rate N]` (issue 16 item 4): 3 trials of a channel
 * growing to 5,000 members at N joins/s offered (default 100, the server's default per-address join
 * limit), a block of 100 joins measured as it reaches 500 / 1,000 / 2,000 / 5,000.
 * Full runs write bench/results/bigchannel.{json,md} and BENCHMARKS.md's big-channel section.
 */
const quick = process.argv.includes('--quick');
const rateArg = process.argv.indexOf('--rate');
const rate = rateArg > 0 ? Number(process.argv[rateArg + 1]) : 100;
const params: BigChannelParams = quick
  ? { checkpoints: [100, 300], block: 50, rate: 200, workers: 2, settleMs: 15_000 }
  : { checkpoints: [500, 1000, 2000, 5000], block: 100, rate, workers: 2, settleMs: 60_000 };
const trials = quick ? 1 : 3;
const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = quick ? `${root}bench/results/tmp` : `${root}bench/results`;
mkdirSync(outDir, { recursive: true });
const sh = (cmd: string) => {
  try {
    return execSync(cmd, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};
const meta = {
  date: new Date().toISOString(),
  commit: sh('git rev-parse --short HEAD'),
  dirtyPackages: sh('git status --porcelain packages') !== '',
  node: process.version,
  cores: os.cpus().length,
  params,
  trials,
};
const results: BigChannelResult[] = [];
for (let trial = 0; trial < trials; trial++) {
  console.log(`[bigchannel] trial ${trial + 1}/${trials}, load ${os.loadavg()[0]?.toFixed(1)}`);
  const r = await bigChannel(HOLDFAST, params, trial);
  results.push(r);
  console.log(JSON.stringify(r));
}
const section = bigChannelSection(results, meta).join('\n');
const name = quick ? 'bigchannel-quick' : `bigchannel-${rate}`;
writeFileSync(`${outDir}/${name}.json`, `${JSON.stringify({ meta, results }, null, 1)}\n`);
writeFileSync(`${outDir}/${name}.md`, `${section}\n`);
if (!quick) {
  const doc = `${root}BENCHMARKS.md`;
  const begin = '<!-- bench:bigchannel:begin -->';
  const end = '<!-- bench:bigchannel:end -->';
  const current = readFileSync(doc, 'utf8');
  const a = current.indexOf(begin);
  const b = current.indexOf(end);
  const next =
    a >= 0 && b > a
      ? `${current.slice(0, a + begin.length)}\n${section}\n${current.slice(b)}`
      : `${current.trimEnd()}\n\n${begin}\n${section}\n${end}\n`;
  writeFileSync(doc, next);
}
console.log(section);
