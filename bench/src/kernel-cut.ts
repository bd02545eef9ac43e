import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { now } from './stats.js';

/**
 * A network cut made by the kernel instead of a user-space proxy: the cut clients reach the server
 * at {@link CUT_ADDRESS} (the server listens on every address; observers use 127.0.0.1), a cut is
 * two DROP rules (to and from that address and the server's port: nothing else on the machine is
 * touched) in a chain of the bench's own; a restore flushes the chain and then aborts the sockets
 * that lived through the cut, both ends (`ss -K`; see {@link KernelCut.restore}): the same
 * semantics as the fault proxy's (a pulled cable; at the restore every connection that lived
 * through it dies and each client reconnects), but no process forwards the clients' bytes, so the
 * storm after the restore is the server's and the clients' work only. Needs root, iptables and a
 * kernel with socket destroy (CONFIG_INET_DIAG_DESTROY); {@link kernelCutUnavailable} says why not.
 */
export const CUT_ADDRESS = '127.0.0.2';
const CHAIN = 'HFBENCH_CUT';
const exec = promisify(execFile);

const iptables = (...args: string[]) => exec('iptables', ['-w', ...args]);
const ignore = () => {};

export interface KernelCut {
  /** Drops every packet to and from {@link CUT_ADDRESS} at the server's port; returns when. */
  cut(): Promise<{ at: number }>;
  /**
   * Lets packets through again (`at`), then aborts every connection that lived through the cut
   * (`killed`: done). `keepNew`: connections opened after `at` are left alone (the clients are
   * about to be told the network is back and redial at once); it costs a listing before the flush
   * and a longer `ss` filter (~50–100 ms more until the last abort with 1,000 clients). Without it
   * every connection of the address and port dies, those of the few clients whose retry fell in
   * the tens of milliseconds between the flush and the abort included.
   */
  restore(keepNew?: boolean): Promise<{ at: number; killed: Promise<void> }>;
  close(): Promise<void>;
}

const SS_BUFFER = 64 * 1024 * 1024;

/** Aborts every TCP socket of either end of `addr:port` (SYN-SENT ones included). */
async function killSockets(addr: string, port: number): Promise<void> {
  await exec('ss', ['-K', '-tn', `( dst ${addr}:${port} or src ${addr}:${port} )`], { maxBuffer: SS_BUFFER });
}

/** The client-side ports of the TCP sockets to `addr:port` now (any state but listening). */
async function clientPorts(addr: string, port: number): Promise<number[]> {
  const { stdout } = await exec('ss', ['-tnH', `( dst ${addr}:${port} )`], { maxBuffer: SS_BUFFER });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((local): local is string => local !== undefined && local !== '')
    .map((local) => Number(local.slice(local.lastIndexOf(':') + 1)));
}

/** Aborts the connection attempts to `addr:port` still waiting for an answer to their SYN. */
async function killSynSent(addr: string, port: number): Promise<void> {
  await exec('ss', ['-K', '-tn', 'state', 'syn-sent', `( dst ${addr}:${port} )`], { maxBuffer: SS_BUFFER });
}

/** Aborts both ends of the connections to `addr:port` from the client ports given. */
async function killPorts(addr: string, port: number, ports: readonly number[]): Promise<void> {
  // One ss call per 1,000 ports: each walks every socket of the machine (~40 ms for 2,000 here).
  for (let i = 0; i < ports.length; i += 1000) {
    const chunk = ports.slice(i, i + 1000);
    const from = chunk.map((p) => `sport = :${p}`).join(' or ');
    const to = chunk.map((p) => `dport = :${p}`).join(' or ');
    const filter = `( dst ${addr}:${port} and ( ${from} ) ) or ( src ${addr}:${port} and ( ${to} ) )`;
    await exec('ss', ['-K', '-tn', filter], { maxBuffer: SS_BUFFER });
  }
}

/** Why the kernel cut cannot be used here (checked for real, once), or undefined when it can. */
export async function kernelCutUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not root: iptables and ss -K need CAP_NET_ADMIN';
  try {
    await iptables('--version');
    await iptables('-S', 'OUTPUT');
  } catch (err) {
    return `iptables failed: ${(err as Error).message.split('\n')[0]}`;
  }
  // ss -K on a connection of our own: it must die.
  const server = net.createServer((s) => s.on('error', ignore));
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const sock = net.connect(port, CUT_ADDRESS);
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    const died = new Promise<boolean>((resolve) => {
      sock.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 1000).unref();
    });
    sock.on('error', ignore);
    await killSockets(CUT_ADDRESS, port);
    if (!(await died)) return 'ss -K did not abort a socket (no CONFIG_INET_DIAG_DESTROY?)';
    sock.destroy();
    return undefined;
  } catch (err) {
    return `ss -K failed: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    server.close();
  }
}

/** Sets up the bench's chain (empty: nothing dropped yet) for the server listening on `port`. */
export async function startKernelCut(port: number): Promise<KernelCut> {
  await iptables('-N', CHAIN).catch(ignore);
  await iptables('-F', CHAIN);
  const linked = await iptables('-C', 'OUTPUT', '-j', CHAIN).then(
    () => true,
    () => false,
  );
  if (!linked) await iptables('-I', 'OUTPUT', '-j', CHAIN);
  return {
    cut: async () => {
      const tcp = ['-p', 'tcp'];
      await iptables('-A', CHAIN, '-d', CUT_ADDRESS, ...tcp, '--dport', `${port}`, '-j', 'DROP');
      await iptables('-A', CHAIN, '-s', CUT_ADDRESS, ...tcp, '--sport', `${port}`, '-j', 'DROP');
      return { at: now() };
    },
    restore: async (keepNew = false) => {
      if (!keepNew) {
        const at = now();
        await iptables('-F', CHAIN);
        return { at, killed: killSockets(CUT_ADDRESS, port) };
      }
      const lived = await clientPorts(CUT_ADDRESS, port);
      // Packets may pass from any moment of the flush on: the restore is timed from its start.
      const at = now();
      await iptables('-F', CHAIN);
      // Also every attempt still waiting for its SYN's answer: made after the listing but before the
      // flush, its SYN was dropped (a post-flush connection is established within a millisecond).
      const killed = Promise.all([killPorts(CUT_ADDRESS, port, lived), killSynSent(CUT_ADDRESS, port)]);
      return { at, killed: killed.then(() => {}) };
    },
    close: async () => {
      await iptables('-F', CHAIN).catch(ignore);
      await iptables('-D', 'OUTPUT', '-j', CHAIN).catch(ignore);
      await iptables('-X', CHAIN).catch(ignore);
    },
  };
}
