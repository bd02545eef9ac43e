import { spawn, spawnSync } from 'node:child_process';

/**
 * Network namespaces for kernel-level faults (issue 16 item 7). A namespace has its own loopback,
 * its own iptables tables and its own interfaces, so rules and interface changes made inside it
 * never touch the host's. Needs root, iproute2 and iptables (scripts/ensure-test-deps.sh installs
 * both packages).
 */

let serial = 0;
const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });

/** Why namespaces cannot be used here, or undefined when they can (checked once, for real). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: ip netns and iptables need CAP_NET_ADMIN';
  for (const [cmd, args] of [
    ['ip', ['-V']],
    ['iptables', ['--version']],
  ] as const) {
    const r = run(cmd, [...args]);
    if (r.error || r.status !== 0) return `${cmd} is missing (run scripts/ensure-test-deps.sh)`;
  }
  const probe = `hfprobe${process.pid}`;
  const add = run('ip', ['netns', 'add', probe]);
  if (add.status !== 0) return `ip netns add failed: ${add.stderr.trim()}`;
  try {
    const ipt = run('ip', [
      'netns',
      'exec',
      probe,
      'iptables',
      '-A',
      'INPUT',
      '-s',
      '127.0.0.2',
      '-j',
      'DROP',
    ]);
    if (ipt.status !== 0) return `iptables in a namespace failed: ${ipt.stderr.trim()}`;
    const stat = run('ip', [
      'netns',
      'exec',
      probe,
      'iptables',
      '-A',
      'INPUT',
      '-m',
      'statistic',
      '--mode',
      'random',
      '--probability',
      '0.2',
      '-j',
      'DROP',
    ]);
    if (stat.status !== 0) return `iptables -m statistic failed: ${stat.stderr.trim()}`;
  } finally {
    run('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

/**
 * Runs `node <script> <arg>` inside a new namespace (loopback up, nothing else) and resolves with
 * the last line it printed on stdout, parsed as JSON. The namespace is deleted afterwards.
 */
export async function runInNetns<T>(
  name: string,
  script: string,
  arg: string,
  timeoutMs: number,
): Promise<{ result: T; stderr: string; ms: number }> {
  const ns = `hf${process.pid}-${++serial}`;
  run('ip', ['netns', 'del', ns]);
  const add = run('ip', ['netns', 'add', ns]);
  if (add.status !== 0) throw new Error(`ip netns add ${ns}: ${add.stderr}`);
  const t0 = Date.now();
  try {
    const up = run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    if (up.status !== 0) throw new Error(`lo up in ${ns}: ${up.stderr}`);
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, arg], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${name}: no result within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
      }, timeoutMs);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const last = stdout.trim().split('\n').at(-1) ?? '';
    let result: T;
    try {
      result = JSON.parse(last) as T;
    } catch {
      throw new Error(`${name}: exit ${code}, no JSON result; stderr: ${stderr.slice(-2000)}`);
    }
    return { result, stderr, ms: Date.now() - t0 };
  } finally {
    run('ip', ['netns', 'del', ns]);
  }
}
