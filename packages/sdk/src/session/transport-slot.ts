import { encodeFrame, wireErrorFromCloseCode } from '@holdfast/protocol';
import type { ConnEvent } from '../connection/types.js';
import { classifyDialError, type DialError } from '../transport/dial-error.js';
import type { Transport, TransportFactory } from '../transport/types.js';

/** What the slot tells its session. */
export interface SlotHandlers {
  /** A machine event (transport_open, transport_closed with the close code's reason). */
  dispatch(event: ConnEvent): void;
  message(data: string): void;
  /** The transport is gone (closed by either side): statistics and keepalives stop with it. */
  detached(transport: Transport): void;
  /**
   * An attempt failed before it opened (nothing listening, not a WebSocket URL, TLS to a plain
   * server, …). Told once per distinct failure until a transport opens again.
   */
  dialFailed?(error: DialError): void;
}

/**
 * The session's one transport at a time: opens it on the next server URL (moving on after each
 * close when there are several), drops events from a transport that is no longer current, and
 * closes it.
 */
export class TransportSlot {
  #transport: Transport | undefined;
  #urlIndex = 0;
  /** The dial failures already told since the last open (one report each, not one per retry). */
  #told = new Set<string>();

  constructor(
    private readonly urls: string[],
    private readonly factory: TransportFactory,
    private readonly handlers: SlotHandlers,
  ) {}

  get current(): Transport | undefined {
    return this.#transport;
  }

  open(): void {
    this.close();
    const url = this.urls[this.#urlIndex % this.urls.length]!;
    let opened = false;
    const transport: Transport = this.factory(url, {
      onOpen: () => {
        if (this.#transport !== transport) return;
        opened = true;
        this.#told.clear();
        this.handlers.dispatch({ type: 'transport_open' });
      },
      onMessage: (data) => {
        if (this.#transport === transport) this.handlers.message(data);
      },
      onClose: (code, detail) => {
        if (this.#transport !== transport) return;
        this.#detach();
        if (!opened && code === 1006) this.#dialFailed(classifyDialError(url, detail));
        // Move to the next server URL for the next attempt when there are several.
        this.#urlIndex++;
        const reason = wireErrorFromCloseCode(code);
        this.handlers.dispatch(
          reason ? { type: 'transport_closed', code: reason } : { type: 'transport_closed' },
        );
      },
    });
    this.#transport = transport;
  }

  #dialFailed(error: DialError): void {
    if (this.#told.has(error.message)) return;
    this.#told.add(error.message);
    this.handlers.dialFailed?.(error);
  }

  #detach(): void {
    const t = this.#transport;
    if (!t) return;
    this.#transport = undefined;
    this.handlers.detached(t);
  }

  close(): void {
    const t = this.#transport;
    if (!t) return;
    this.#detach();
    t.close(1000, 'client closing');
  }

  /** Sends a frame on the current transport; false when there is none or it is not open. */
  send(frame: Parameters<typeof encodeFrame>[0]): boolean {
    return this.#transport?.send(encodeFrame(frame)) ?? false;
  }
}
