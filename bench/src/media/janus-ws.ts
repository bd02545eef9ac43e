import WebSocket from 'ws';

type Json = Record<string, unknown>;

/**
 * Janus's WebSocket API (subprotocol `janus-protocol`): every request carries a transaction; the
 * reply is the first non-`ack` message with that transaction (`success`, `server_info`, or a
 * plugin's asynchronous `event`), or `error`.
 */
export class JanusWs {
  #next = 1;
  readonly #pending = new Map<string, { resolve: (m: Json) => void; reject: (e: Error) => void }>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Json;
      const t = msg.transaction as string | undefined;
      if (!t || msg.janus === 'ack') return;
      const p = this.#pending.get(t);
      if (!p) return;
      this.#pending.delete(t);
      if (msg.janus === 'error') {
        const e = msg.error as { code?: number; reason?: string } | undefined;
        p.reject(new Error(`janus error ${e?.code}: ${e?.reason}`));
      } else p.resolve(msg);
    });
    ws.on('close', () => {
      for (const p of this.#pending.values()) p.reject(new Error('janus websocket closed'));
      this.#pending.clear();
    });
  }

  static connect(url: string): Promise<JanusWs> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'janus-protocol', { perMessageDeflate: false });
      ws.once('open', () => resolve(new JanusWs(ws)));
      ws.once('error', reject);
    });
  }

  /** Sends `msg` and resolves with its reply, whatever its type (`error` rejects). */
  raw(msg: Json): Promise<Json> {
    const transaction = `t${this.#next++}`;
    return new Promise<Json>((resolve, reject) => {
      this.#pending.set(transaction, { resolve, reject });
      this.ws.send(JSON.stringify({ ...msg, transaction }));
    });
  }

  /** Sends `msg` and resolves with its reply's data; `expect` is the reply's `janus` type. */
  async request<T = Json>(msg: Json, expect = 'success'): Promise<T> {
    const reply = await this.raw(msg);
    if (reply.janus !== expect) throw new Error(`janus: expected ${expect}, got ${JSON.stringify(reply)}`);
    return (reply.data ?? reply) as T;
  }

  send(msg: Json): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ ...msg, transaction: 'x' }));
  }

  close(): void {
    this.ws.close();
  }
}

export interface Jsep {
  type: 'offer' | 'answer';
  sdp: string;
}

/** One Janus session on its own WebSocket, kept alive every 25 s (Janus drops a session after 60 s of silence). */
export class JanusSession {
  readonly #timer: NodeJS.Timeout;

  private constructor(
    readonly api: JanusWs,
    readonly id: number,
  ) {
    this.#timer = setInterval(() => api.send({ janus: 'keepalive', session_id: id }), 25_000);
  }

  static async open(url: string): Promise<JanusSession> {
    const api = await JanusWs.connect(url);
    const { id } = await api.request<{ id: number }>({ janus: 'create' });
    return new JanusSession(api, id);
  }

  async attach(plugin = 'janus.plugin.videoroom'): Promise<number> {
    const { id } = await this.api.request<{ id: number }>({ janus: 'attach', session_id: this.id, plugin });
    return id;
  }

  /**
   * A plugin request: resolves with the plugin's data (and JSEP) from its synchronous `success` or
   * its asynchronous `event`; rejects on a plugin error.
   */
  async message(
    handle: number,
    body: Json,
    jsep?: Jsep & { trickle?: boolean },
  ): Promise<{ data: Json; jsep?: Jsep }> {
    const msg: Json = { janus: 'message', session_id: this.id, handle_id: handle, body };
    if (jsep) msg.jsep = jsep;
    // A synchronous plugin reply is a `success` with plugindata, an asynchronous one an `event`.
    const reply = await this.api.raw(msg);
    const data = ((reply.plugindata as Json | undefined)?.data ?? {}) as Json;
    if (data.error) throw new Error(`videoroom error ${data.error_code}: ${data.error}`);
    return { data, ...(reply.jsep ? { jsep: reply.jsep as Jsep } : {}) };
  }

  close(): void {
    clearInterval(this.#timer);
    this.api.send({ janus: 'destroy', session_id: this.id });
    this.api.close();
  }
}
