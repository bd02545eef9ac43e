import {
  createNERtcEngine,
  type NERtcChannelEventCallback,
  type NERtcEngine,
  type NERtcOptions,
} from '@holdfast/sdk';

/** One recorded NERTC callback: name, arguments, ms since the recorder started. */
export interface NERecorded {
  name: string;
  args: unknown[];
  at: number;
}

const CALLBACKS = [
  'onJoinChannel',
  'onConnectionStateChanged',
  'onReconnectingStart',
  'onReJoinChannel',
  'onDisconnect',
  'onLeaveChannel',
  'onUserJoined',
  'onUserLeave',
  'onClientRoleChange',
  'onPermissionKeyWillExpire',
  'onError',
] as const;

/** A NERTC-profile engine plus a log of every callback it made, for sequences and timings. */
export class NERtcRecordingClient {
  readonly engine: NERtcEngine = createNERtcEngine();
  readonly events: NERecorded[] = [];
  readonly start = Date.now();
  #waiters: Array<() => void> = [];

  constructor(
    appKey: string,
    serverUrl: string,
    options: NERtcOptions = {},
    extra: NERtcChannelEventCallback = {},
  ) {
    const callback: NERtcChannelEventCallback = {};
    for (const name of CALLBACKS) {
      (callback as Record<string, unknown>)[name] = (...args: unknown[]) => {
        this.events.push({ name, args, at: Date.now() - this.start });
        (extra as Record<string, ((...a: unknown[]) => void) | undefined>)[name]?.(...args);
        for (const w of this.#waiters.splice(0)) w();
      };
    }
    const rc = this.engine.create({
      appKey,
      serverUrl,
      channelEventCallback: callback,
      options: { network: null, ...options },
    });
    if (rc !== 0) throw new Error(`create returned ${rc}`);
  }

  states(): Array<[number, number]> {
    return this.events
      .filter((e) => e.name === 'onConnectionStateChanged')
      .map((e) => e.args as [number, number]);
  }

  named(name: string): NERecorded[] {
    return this.events.filter((e) => e.name === name);
  }

  async waitFor(pred: (e: NERecorded) => boolean, timeoutMs = 10_000, from = 0): Promise<NERecorded> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting; events so far: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  waitState(state: number, reason: number, timeoutMs = 10_000, from = 0): Promise<NERecorded> {
    return this.waitFor(
      (e) => e.name === 'onConnectionStateChanged' && e.args[0] === state && e.args[1] === reason,
      timeoutMs,
      from,
    );
  }

  release(): void {
    this.engine.release();
  }
}
