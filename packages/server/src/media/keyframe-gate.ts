/**
 * A subscriber's video track from its first packet until its decoder can start: nothing is
 * forwarded until a keyframe begins (delta frames before it cannot be decoded, and made the
 * subscriber's own PLIs and jitter buffer wait), and a keyframe is asked for as soon as the
 * subscriber's sender can send (its DTLS is up: werift drops anything sent before, so a keyframe
 * asked for at the answer was wasted), again every `retryMs` while none has come, and the gate
 * opens anyway after `giveUpMs` of asking (the subscriber's own PLIs take over then). Pure: time
 * and the sender's readiness come in as arguments.
 */
export interface GateOptions {
  retryMs: number;
  giveUpMs: number;
}

export const GATE_DEFAULTS: GateOptions = { retryMs: 500, giveUpMs: 3000 };

export interface GateStep {
  forward: boolean;
  /** Ask the publisher for a keyframe now. */
  ask: boolean;
  /** The gate opened without a keyframe (`giveUpMs` passed): worth a warning. */
  gaveUp?: true;
}

export class KeyframeGate {
  #open = false;
  #firstReady: number | undefined;
  #lastAsk: number | undefined;

  constructor(private readonly o: GateOptions = GATE_DEFAULTS) {}

  get open(): boolean {
    return this.#open;
  }

  /** The sender is ready at `now` (its connection came up, or a packet finds it up): ask now? */
  ready(now: number): boolean {
    if (this.#open) return false;
    this.#firstReady ??= now;
    if (this.#lastAsk !== undefined && now - this.#lastAsk < this.o.retryMs) return false;
    this.#lastAsk = now;
    return true;
  }

  /** A packet of the track at `now`; `ready`: the sender can send; `keyframe`: it starts a keyframe. */
  packet(now: number, ready: boolean, keyframe: boolean): GateStep {
    if (this.#open) return { forward: true, ask: false };
    // Not sendable yet (werift would drop it): the keyframe is asked for once the sender is ready.
    if (!ready) return { forward: false, ask: false };
    if (keyframe) {
      this.#open = true;
      return { forward: true, ask: false };
    }
    if (this.#firstReady !== undefined && now - this.#firstReady >= this.o.giveUpMs) {
      this.#open = true;
      return { forward: true, ask: false, gaveUp: true };
    }
    return { forward: false, ask: this.ready(now) };
  }
}
