import { type ChildProcess, fork } from 'node:child_process';
import { stallsStart, stallsStop } from './stalls.js';

/** A request from the coordinator to a child process. */
interface Request {
  rpc: number;
  method: string;
  params: unknown;
}
interface Reply {
  rpc: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export type Handlers = Record<string, (params: never) => unknown>;

/**
 * Child side: answers the coordinator's requests with `handlers` (and every child's `stallsStart` /
 * `stallsStop`: its event-loop stalls and GC pauses over a window); exits when the coordinator goes away.
 */
export function serve(own: Handlers): void {
  const handlers: Handlers = { stallsStart, stallsStop, ...own };
  process.on('message', (msg: Request) => {
    const handler = handlers[msg.method];
    const reply = (r: Omit<Reply, 'rpc'>) => process.send?.({ rpc: msg.rpc, ...r });
    if (!handler) {
      reply({ ok: false, error: `no method ${msg.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.params as never))
      .then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: err instanceof Error ? err.stack : String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ rpc: 0, ok: true, result: 'ready' });
}

/** Coordinator side: one forked child speaking {@link serve}'s protocol. */
export class Child {
  #next = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;
  readonly proc: ChildProcess;

  constructor(
    readonly name: string,
    file: string,
    execArgv: string[] = [],
  ) {
    this.proc = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let ready: () => void;
    this.ready = new Promise((resolve) => {
      ready = resolve;
    });
    this.proc.on('message', (msg: Reply) => {
      if (msg.rpc === 0) return ready();
      const p = this.#pending.get(msg.rpc);
      if (!p) return;
      this.#pending.delete(msg.rpc);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${this.name}: ${msg.error}`));
    });
    this.proc.on('exit', (code, signal) => {
      for (const p of this.#pending.values()) p.reject(new Error(`${this.name} exited (${code ?? signal})`));
      this.#pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    const rpc = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ rpc, method, params } satisfies Request);
    });
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.disconnect();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Starts several children in parallel and waits until each is ready. */
export async function startChildren(name: string, file: string, count: number, execArgv: string[] = []) {
  const children = Array.from({ length: count }, (_, i) => new Child(`${name}${i}`, file, execArgv));
  await Promise.all(children.map((c) => c.ready));
  return children;
}
