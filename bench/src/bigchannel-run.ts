import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { bigChannelSection } from './report-bigchannel.js';
import { resultsDir, runMeta, writeDocSection } from './run-env.js';
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
const outDir = resultsDir(quick);
const meta = {
  ...runMeta(),
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
if (!quick) writeDocSection('bigchannel', section, true);
console.log(section);
