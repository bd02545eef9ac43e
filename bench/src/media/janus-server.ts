import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../stats.js';
import { JanusWs } from './janus-ws.js';

const LIB = '/usr/lib/x86_64-linux-gnu/janus';
export const JANUS_BIN = '/usr/bin/janus';

/** Every module in `dir` except `keep`, for a `disable = "…"` line. */
const allBut = (dir: string, keep: string[]) => {
  try {
    return readdirSync(`${LIB}/${dir}`)
      .filter((f) => f.endsWith('.so') && !keep.includes(f))
      .join(',');
  } catch {
    return '';
  }
};

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export interface RunningJanus {
  pid: number;
  url: string;
  version: string;
  /** The last 8,000 characters Janus logged (warnings and errors only). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Debian's Janus (1.1.x) in its own process, configured in a temporary folder: the VideoRoom plugin
 * and the WebSocket transport only (on 127.0.0.1); ICE on `iface` only (see {@link janusInterface}), no STUN,
 * no TURN, no event handlers, no loggers; logging at warnings. Everything else at Janus's defaults
 * (NACK queue, TWCC feedback every 200 ms, half-trickle: its SDPs carry its candidates).
 */
export async function startJanus(iface: string): Promise<RunningJanus> {
  const dir = mkdtempSync(join(tmpdir(), 'holdfast-janus-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${LIB}/plugins"
  transports_folder = "${LIB}/transports"
  events_folder = "${LIB}/events"
  loggers_folder = "${LIB}/loggers"
  debug_level = 3
  session_timeout = 60
}
certificates: {
}
media: {
  ipv6 = false
}
nat: {
  nice_debug = false
  ice_enforce_list = "${iface}"
  ignore_mdns = true
}
plugins: {
  disable = "${allBut('plugins', ['libjanus_videoroom.so'])}"
}
transports: {
  disable = "${allBut('transports', ['libjanus_websockets.so'])}"
}
loggers: {
  disable = "${allBut('loggers', [])}"
}
events: {
  broadcast = false
}
`,
  );
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {
  json = "plain"
  ws = true
  ws_port = ${port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
  admin_wss = false
}
`,
  );
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n}\n');
  const proc: ChildProcess = spawn(JANUS_BIN, ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Janus is not a child that exits with us: take it down if this process ends first.
  const orphan = () => proc.kill('SIGKILL');
  process.once('exit', orphan);
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString()).slice(-8000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  let version = '';
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`janus exited (${proc.exitCode}): ${log}`);
    try {
      const ws = await JanusWs.connect(url);
      const info = await ws.request<{ version_string?: string }>({ janus: 'info' }, 'server_info');
      version = info.version_string ?? '';
      ws.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`janus did not answer on ${url}: ${(err as Error).message}\n${log}`);
      }
      await sleep(100);
    }
  }
  return {
    pid: proc.pid ?? 0,
    url,
    version,
    log: () => log,
    async stop() {
      process.off('exit', orphan);
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface JanusInterface {
  name: string;
  ip: string;
  remove(): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { stdio: 'pipe', encoding: 'utf8' });

/**
 * Janus never gathers ICE candidates on a loopback interface (src/ice.c skips IFF_LOOPBACK), so on
 * a loopback-only bench it would offer only the machine's other addresses. It gets an interface
 * of its own instead: a veth pair (`hfj<pid>`/`hfk<pid>`, root only) whose first end holds one
 * address in 127.0.0.0/8. Traffic to that address is local delivery through `lo`, exactly like
 * 127.0.0.1 (the veth itself carries nothing), so Janus's media takes the same kernel path as
 * Holdfast's and never leaves the loopback range. Pairs left by a bench process that died are removed.
 */
export function janusInterface(): JanusInterface {
  for (const line of ip(['-o', 'link', 'show']).split('\n')) {
    const m = /^\d+: hfj(\d+)@/.exec(line);
    if (m && !existsSync(`/proc/${m[1]}`)) ip(['link', 'del', `hfj${m[1]}`]);
  }
  const name = `hfj${process.pid}`;
  const addr = `127.1.${(process.pid >> 8) & 255}.${process.pid & 255 || 1}`;
  ip(['link', 'add', name, 'type', 'veth', 'peer', 'name', `hfk${process.pid}`]);
  try {
    ip(['addr', 'add', `${addr}/32`, 'dev', name]);
    ip(['link', 'set', `hfk${process.pid}`, 'up']);
    ip(['link', 'set', name, 'up']);
  } catch (err) {
    ip(['link', 'del', name]);
    throw err;
  }
  return {
    name,
    ip: addr,
    remove: () => {
      try {
        ip(['link', 'del', name]);
      } catch {
        // already gone
      }
    },
  };
}
