import {
  ChannelProfileType,
  ClientRoleType,
  createRtcEngine,
  type IRtcEngine,
  type IRtcEngineEventHandler,
  type RtcEngineContext,
} from '@holdfast/sdk';

/** One recorded callback: name, arguments (connection dropped), ms since the recorder started. */
export interface Recorded {
  name: string;
  args: unknown[];
  at: number;
}

const CALLBACKS = [
  'onConnectionStateChanged',
  'onJoinChannelSuccess',
  'onRejoinChannelSuccess',
  'onLeaveChannel',
  'onConnectionLost',
  'onConnectionInterrupted',
  'onConnectionBanned',
  'onUserJoined',
  'onUserOffline',
  'onTokenPrivilegeWillExpire',
  'onRequestToken',
  'onError',
  'onClientRoleChanged',
  'onClientRoleChangeFailed',
  'onStreamMessage',
  'onStreamMessageError',
] as const;

/** An engine plus a log of every callback it made, for assertions on sequences and timings. */
export class RecordingClient {
  readonly engine: IRtcEngine = createRtcEngine();
  readonly events: Recorded[] = [];
  readonly start = Date.now();
  #waiters: Array<() => void> = [];

  constructor(context: RtcEngineContext) {
    const rc = this.engine.initialize({ network: null, ...context });
    if (rc !== 0) throw new Error(`initialize returned ${rc}`);
    const handler: IRtcEngineEventHandler = {};
    for (const name of CALLBACKS) {
      (handler as Record<string, unknown>)[name] = (...args: unknown[]) => {
        const rest = name === 'onError' ? args : args.slice(1);
        this.events.push({ name, args: rest, at: Date.now() - this.start });
        for (const w of this.#waiters.splice(0)) w();
      };
    }
    this.engine.registerEventHandler(handler);
  }

  /** Joins as a broadcaster in the communication profile unless told otherwise. */
  join(channel: string, uid = 0, token = ''): number {
    return this.engine.joinChannel(token, channel, uid, {
      clientRoleType: ClientRoleType.ClientRoleBroadcaster,
      channelProfile: ChannelProfileType.ChannelProfileCommunication,
    });
  }

  /** State changes as `[state, reason]` pairs. */
  states(): Array<[number, number]> {
    return this.events
      .filter((e) => e.name === 'onConnectionStateChanged')
      .map((e) => e.args as [number, number]);
  }

  named(name: string): Recorded[] {
    return this.events.filter((e) => e.name === name);
  }

  /** Resolves with the first event (from index `from`) matching; rejects after `timeoutMs`. */
  async waitFor(pred: (e: Recorded) => boolean, timeoutMs = 10_000, from = 0): Promise<Recorded> {
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

  waitState(state: number, reason: number, timeoutMs = 10_000, from = 0): Promise<Recorded> {
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
