import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { now } from './stats.js';

/**
 * A network cut made by the kernel instead of a user-space proxy: the cut clients reach the server
 * at {@link CUT_ADDRESS} (the server listens on every address; observers use 127.0.0.1), a cut is
 * two DROP rules (to and from that address and the server's port: nothing else on the machine is
 * touched) in a chain of the bench's own, and a restore flushes
 * the chain and then aborts every socket to or from that address and port (`ss -K`): the same
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
  /** Lets packets through again, then aborts every connection that lived through the cut; returns when. */
  restore(): Promise<{ at: number }>;
  close(): Promise<void>;
}

/** Aborts every TCP socket of either end of `addr:port` (SYN-SENT ones included). */
async function killSockets(addr: string, port: number): Promise<void> {
  await exec('ss', ['-K', '-tn', `( dst ${addr}:${port} or src ${addr}:${port} )`], {
    maxBuffer: 64 * 1024 * 1024,
  });
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
    restore: async () => {
      await iptables('-F', CHAIN);
      const at = now();
      await killSockets(CUT_ADDRESS, port);
      return { at };
    },
    close: async () => {
      await iptables('-F', CHAIN).catch(ignore);
      await iptables('-D', 'OUTPUT', '-j', CHAIN).catch(ignore);
      await iptables('-X', CHAIN).catch(ignore);
    },
  };
}
