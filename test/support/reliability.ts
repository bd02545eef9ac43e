import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Figures for RELIABILITY.md (issue 16 item 7). Tests write them as JSON under
 * test-results/reliability/ (git-ignored); `npm run reliability` runs the suites and renders the
 * document from these files (scripts/reliability.mjs).
 */
export const RELIABILITY_DIR = fileURLToPath(new URL('../../test-results/reliability/', import.meta.url));

/** Messages counted at the receivers during one fault: none lost or doubled unless said. */
export interface MessageFigures {
  sent: number;
  /** Deliveries expected (each message × each receiver). */
  expected: number;
  delivered: number;
  /** Expected deliveries that never came and were not reported as missed. */
  lost: number;
  /** Deliveries that never came but the SDK reported (onStreamMessageError 117 `missed`). */
  reportedMissed: number;
  duplicates: number;
  outOfOrder: number;
  /** Send → receive, ms, over every delivery. */
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
}

export interface FaultFigure {
  id: string;
  group: 'kernel' | 'proxy' | 'attack' | 'fuzz';
  fault: string;
  /** How it was injected, in one line. */
  how: string;
  /** What was detected and when (ms after the fault began), e.g. "Reconnecting/Interrupted 4,012 ms". */
  detection: string;
  /** How long after the fault ended the client was back (ms), and how. */
  recovery: string;
  messages?: MessageFigures;
  /** Anything else worth a line. */
  notes: string[];
  /** The test that produced it. */
  test: string;
  /** Wall time of the run, ms. */
  ms: number;
}

/** A reason code seen end to end: which profile, its number and name, and where. */
export interface ObservedReason {
  profile: 'agora' | 'nertc' | 'agora-offline';
  code: number;
  where: string;
}

function write(name: string, value: unknown): void {
  mkdirSync(RELIABILITY_DIR, { recursive: true });
  writeFileSync(`${RELIABILITY_DIR}${name}.json`, `${JSON.stringify(value, null, 2)}\n`);
}

export function recordFigure(figure: FaultFigure): void {
  write(`figure-${figure.id}`, figure);
}

/** The reason table (test/support/reason-table.ts) with where each code was observed in this run. */
export function recordReasons(rows: Array<Record<string, unknown> & { observedIn: string[] }>): void {
  write('reasons', rows);
}

/** The p-th percentile (0..100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
