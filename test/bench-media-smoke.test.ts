import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Step {
  n: number;
  openFailed: number;
  forwarded: number;
  cpuPerPacketUs: number;
  deliveryVideoMinPercent: number;
  deliveryAudioMinPercent: number;
  pubFps: number;
}
interface Trial {
  system: string;
  firstFrame: { samples: number[]; failed: number };
  recovery: Array<{ how: string; subscribers: number; back: number }>;
  ramp: Step[];
}
interface Media {
  systems: string[];
  janusSkipped?: string;
  params: { firstFrame: { samples: number }; ramp: { steps: number[] } };
  trials: Trial[];
}

/**
 * The media benchmark's smoke (issue 14, slice 5): `npm run bench -- --quick --only media` runs the
 * scenario at N ≤ 2 for Holdfast's SFU and for Janus (Debian's `janus`, installed by
 * scripts/ensure-test-deps.sh; it needs root for its veth interface). Checks that media flowed and
 * every part of the scenario produced its figures; never absolute times or CPU.
 */
describe('bench --quick --only media', () => {
  it('publishes to wrtc subscribers through both SFUs and reports every figure', { timeout: 170_000 }, () => {
    execFileSync('npx', ['tsc', '-b', 'bench'], { cwd: root, stdio: 'pipe' });
    execFileSync('node', ['bench/dist/run.js', '--quick', '--only', 'media'], {
      cwd: root,
      stdio: 'pipe',
      timeout: 150_000,
    });
    const r = JSON.parse(readFileSync(`${root}bench/results/tmp/media.json`, 'utf8')) as Media;
    const janus = existsSync('/usr/bin/janus') && process.getuid?.() === 0;
    expect(r.systems).toEqual(janus ? ['holdfast', 'janus'] : ['holdfast']);
    if (!janus) expect(r.janusSkipped).toBeTruthy();
    expect(new Set(r.trials.map((t) => t.system))).toEqual(new Set(r.systems));
    for (const t of r.trials) {
      expect(t.firstFrame.failed, t.system).toBe(0);
      expect(t.firstFrame.samples).toHaveLength(r.params.firstFrame.samples);
      for (const ms of t.firstFrame.samples) expect(ms).toBeGreaterThan(0);
      for (const how of ['network', 'replaceTrack']) {
        const r = t.recovery.find((x) => x.how === how);
        expect(r?.back, `${t.system} ${how}`).toBe(r?.subscribers);
      }
      if (t.system === 'holdfast') expect(t.recovery.find((x) => x.how === 'block')?.back).toBeGreaterThan(0);
      expect(t.ramp.map((s) => s.n)).toEqual(r.params.ramp.steps);
      for (const s of t.ramp) {
        expect(s.openFailed, `${t.system} N=${s.n}`).toBe(0);
        expect(s.forwarded).toBeGreaterThan(0);
        expect(s.cpuPerPacketUs).toBeGreaterThan(0);
        expect(s.pubFps).toBeGreaterThan(5);
        // Every subscriber got most of the publisher's video and audio (loose: CI machines are busy).
        expect(s.deliveryVideoMinPercent).toBeGreaterThan(50);
        expect(s.deliveryAudioMinPercent).toBeGreaterThan(50);
      }
    }
  });
});
