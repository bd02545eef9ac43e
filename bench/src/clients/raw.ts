import { RawWs, textFrame } from '../rawws.js';
import { now } from '../stats.js';

/** Which server a client talks to: Holdfast's protocol, or Socket.IO's (engine.io v4 over WebSocket). */
export type Wire = 'holdfast' | 'socketio';

export interface RawTarget {
  wire: Wire;
  host: string;
  port: number;
}

/** What a lean client reports to its pool. */
export interface RawClientListener {
  joined(client: RawClient, at: number): void;
  presence(client: RawClient, kind: 'joined' | 'offline', uid: number, at: number): void;
  closed(client: RawClient): void;
}

/**
 * One lean protocol client: joins one channel as `uid`, answers keepalives, reports presence events.
 * Holdfast: sends `join`, then a `ping` whenever the pool's ticker says so (the server pongs, and
 * sends a `ka` whenever it has been quiet to the client for its keepalive interval).
 * Socket.IO: answers the server's engine.io pings with pongs; joins through an acknowledged `join` event
 * handled by the bench's presence layer.
 */
export class RawClient {
  readonly ws: RawWs;
  /** When the join was sent (ms). */
  joinSentAt = 0;
  startedAt = now();
  joinedAt = 0;
  lastDataAt = 0;
  /** Longest silence from the server since the last {@link resetGap}. */
  maxGap = 0;
  /**
   * Remote members this client knows of (Holdfast): the `joined` list, plus `user_joined`, less
   * `user_offline`, reset by a `sync` snapshot. A count, not a set: the server never repeats an event.
   */
  known = 0;
  /** `sync` snapshots received (a member that fell behind). */
  syncs = 0;
  /** The code of the `end` frame the server closed this client with, if it did. */
  endCode: string | undefined;
  #seq = 0;

  constructor(
    readonly target: RawTarget,
    readonly uid: number,
    readonly channel: string,
    private readonly listener: RawClientListener,
  ) {
    const path =
      target.wire === 'holdfast' ? `/?tag=${uid}` : `/socket.io/?EIO=4&transport=websocket&tag=${uid}`;
    this.ws = new RawWs(
      { host: target.host, port: target.port, path },
      {
        onOpen: () => {
          if (target.wire === 'holdfast') this.#sendJoin();
        },
        onText: (text) => this.#onText(text),
        onClose: () => listener.closed(this),
      },
    );
  }

  get joined(): boolean {
    return this.joinedAt > 0;
  }

  /** Holdfast only: the client keepalive (carries the ack of the last event seen). */
  ping(): void {
    if (this.target.wire === 'holdfast' && this.joinedAt > 0)
      this.ws.sendText(`{"type":"ping","t":0,"ack":${this.#seq}}`);
  }

  resetGap(at: number): void {
    this.maxGap = 0;
    this.lastDataAt = at;
  }

  /** Explicit leave (Holdfast `leave`; Socket.IO: close, which the presence layer turns into a leave). */
  leave(): void {
    if (this.target.wire === 'holdfast' && this.ws.isOpen) this.ws.sendText('{"type":"leave"}');
    this.ws.close();
  }

  #sendJoin(): void {
    this.joinSentAt = now();
    if (this.target.wire === 'holdfast')
      this.ws.sendText(
        `{"type":"join","v":1,"appId":"demo","channel":"${this.channel}","uid":${this.uid},"role":"broadcaster","profile":"communication","batch":true}`,
      );
    else this.ws.send(textFrame(`420["join",{"room":"${this.channel}","uid":${this.uid}}]`));
  }

  #seen(at: number): void {
    if (this.lastDataAt > 0 && at - this.lastDataAt > this.maxGap) this.maxGap = at - this.lastDataAt;
    this.lastDataAt = at;
  }

  #onText(text: string): void {
    const at = now();
    this.#seen(at);
    if (this.target.wire === 'holdfast') this.#onHoldfast(text, at);
    else this.#onSocketIo(text, at);
  }

  #onHoldfast(text: string, at: number): void {
    // Keepalives and pongs are data (counted above); nothing else to do with them.
    if (text.startsWith('{"type":"pong"') || text.startsWith('{"type":"ka"')) return;
    const f = JSON.parse(text) as HoldfastFrame;
    if (f.type === 'joined') {
      this.joinedAt = at;
      this.#seq = f.seq ?? 0;
      this.known = f.members?.length ?? 0;
      this.listener.joined(this, at);
    } else if (f.type === 'batch') for (const e of f.frames ?? []) this.#onEvent(e, at);
    else if (f.type === 'event') this.#onEvent(f, at);
    else if (f.type === 'sync') {
      this.syncs++;
      this.#seq = f.seq ?? this.#seq;
      this.known = f.members?.length ?? 0;
    } else if (f.type === 'end') {
      this.endCode = (f as { code?: string }).code ?? 'end';
      this.ws.destroy();
    }
  }

  #onEvent(f: HoldfastFrame, at: number): void {
    if (!f.event) return;
    this.#seq = f.seq ?? this.#seq;
    if (f.event.kind === 'user_joined') this.known++;
    else if (f.event.kind === 'user_offline') this.known--;
    else return;
    this.listener.presence(this, f.event.kind === 'user_joined' ? 'joined' : 'offline', f.event.uid, at);
  }

  #onSocketIo(text: string, at: number): void {
    const type = text.charCodeAt(0);
    if (type === 0x32 /* 2: ping */) {
      this.ws.send(PONG);
      return;
    }
    if (type === 0x30 /* 0: open */) {
      this.ws.send(CONNECT);
      return;
    }
    if (type !== 0x34 /* 4: message */) return;
    const packet = text.charCodeAt(1);
    if (packet === 0x30 /* 0: connected to namespace */) this.#sendJoin();
    else if (packet === 0x33 /* 3: ack */) {
      this.joinedAt = at;
      this.listener.joined(this, at);
    } else if (packet === 0x32 /* 2: event */) {
      const [name, uid] = JSON.parse(text.slice(2)) as [string, number];
      if (name === 'user_joined' || name === 'user_offline')
        this.listener.presence(this, name === 'user_joined' ? 'joined' : 'offline', uid, at);
    }
  }
}

/** The Holdfast frames a lean client reads (a `batch` carries event frames). */
interface HoldfastFrame {
  type: string;
  seq?: number;
  event?: { kind: string; uid: number };
  members?: unknown[];
  frames?: HoldfastFrame[];
}

const PONG = textFrame('3');
const CONNECT = textFrame('40');
