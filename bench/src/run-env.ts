import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository's root folder (ends with `/`). */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `cmd` in the repository and returns its trimmed output ('' if it failed). */
export function sh(cmd: string): string {
  try {
    return execSync(cmd, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

/** Where a run writes its results (quick runs: a scratch folder), created if missing. */
export function resultsDir(quick: boolean): string {
  const dir = quick ? `${root}bench/results/tmp` : `${root}bench/results`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** What every results file says about the run: when, which commit, on what. */
export function runMeta(): {
  date: string;
  commit: string;
  dirtyPackages: boolean;
  node: string;
  cores: number;
} {
  return {
    date: new Date().toISOString(),
    commit: sh('git rev-parse --short HEAD'),
    dirtyPackages: sh('git status --porcelain packages') !== '',
    node: process.version,
    cores: os.cpus().length,
  };
}

/**
 * Replaces the text between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->` in
 * BENCHMARKS.md with `text`; when the markers are missing, appends them with the text if
 * `appendIfMissing`, else leaves the file alone (also when there is no BENCHMARKS.md).
 */
export function writeDocSection(name: string, text: string, appendIfMissing = false): void {
  const doc = `${root}BENCHMARKS.md`;
  let current: string;
  try {
    current = readFileSync(doc, 'utf8');
  } catch {
    return;
  }
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const a = current.indexOf(begin);
  const b = current.indexOf(end);
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (a >= 0 && b > a)
    writeFileSync(doc, `${current.slice(0, a + begin.length)}\n${body}${current.slice(b)}`);
  else if (appendIfMissing) writeFileSync(doc, `${current.trimEnd()}\n\n${begin}\n${body}${end}\n`);
}
