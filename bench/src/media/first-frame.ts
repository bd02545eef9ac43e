import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dist } from '../stats.js';
import { mediaSection } from './report.js';
import { mediaBench } from './scenario.js';

/**
 * `npx tsc -b bench && node bench/dist/media/first-frame.js`: only the media bench's first-frame phase (3 interleaved trials of
 * 15 late joiners per system, as in the full run), for re-measuring that row without the ramp.
 * Writes bench/results/media-first-frame.json and prints the rows; BENCHMARKS.md is not touched.
 */
const outDir = fileURLToPath(new URL('../../results', import.meta.url));
const log = (msg: string) => console.log(msg);
log(
  `load average before: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const r = await mediaBench(false, log, outDir, false, true);
for (const t of r.trials)
  log(
    `${t.system} trial ${t.trial + 1} (load ${t.loadAvg.join(' ')}): first frame p50 ${t.firstFrame.dist.p50} p99 ${t.firstFrame.dist.p99} ms, ` +
      `answer p50 ${dist(t.firstFrame.answerSamples).p50}, ICE connected p50 ${dist(t.firstFrame.connectedSamples).p50} ms, failed ${t.firstFrame.failed}`,
  );
log(mediaSection(r).join('\n'));
log(
  `load average after: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
