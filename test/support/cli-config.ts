import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';
import type { RecordingClient } from './recorder.js';

/**
 * `holdfast serve --config`, HOLDFAST_* variables and flags, through the built CLI (the
 * test/config-*.test.ts files). Each test starts several CLI processes: on a busy 2-core machine
 * one start can take seconds.
 */
const MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));

/** The environment without any HOLDFAST_* of the test runner's, plus `env`. */
const withEnv = (env: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HOLDFAST_'))),
  ...env,
});

/**
 * Call once at the top of a test file: the file's own temporary directory, and the CLI processes
 * and clients it starts, killed and released after each test.
 */
export function cliConfigHarness() {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-cli-config-'));
  const children: ChildProcess[] = [];
  const clients: RecordingClient[] = [];
  // The config files of this test file go with it.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => {
    for (const c of clients.splice(0)) c.release();
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  const file = (name: string, content: string | object) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };

  /** Runs the CLI to completion: exit code, stdout, stderr. */
  function run(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [MAIN, ...args], { env: withEnv(env) });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
      child.on('close', (code) => resolve({ code, out, err })),
    );
  }

  /** Starts `holdfast serve …` and resolves with its banner once it is listening (`err()`: its stderr so far). */
  function serve(args: string[], env: Record<string, string> = {}) {
    const child = spawn(process.execPath, [MAIN, 'serve', ...args], { env: withEnv(env) });
    children.push(child);
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    return new Promise<{
      child: ChildProcess;
      url: string;
      httpUrl: string;
      banner: string;
      err: () => string;
    }>((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const url = /listening on (wss?:\/\/\S+)\n/.exec(out)?.[1];
        if (url && out.includes('  apps: '))
          resolve({ child, url, httpUrl: url.replace(/^ws/, 'http'), banner: out, err: () => err });
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${out} ${err}`)));
    });
  }

  return { dir, clients, file, run, serve };
}
