import { NERtcErrorCode as C, MAX_STREAM_MESSAGE_BYTES, StreamReturnCode } from '@holdfast/protocol';
import type { ChannelSession } from '../session/channel-session.js';

/** NERTC `NERtcDataExternalFrame`: the bytes and how many of them to send. */
export interface NERtcDataExternalFrame {
  data: Uint8Array;
  dataSize: number;
}

/** What the data channel tells the app (NERTC callback names). */
export interface NERtcDataEvents {
  start(uid: number): void;
  stop(uid: number): void;
  message(uid: number, data: Uint8Array, size: number): void;
}

/**
 * The NERTC 5.x data channel over Holdfast's data streams: one ordered, reliable stream per
 * engine, opened by `enableLocalData(true)`; remote data subscribed by default (the
 * subscribeRemoteData doc; the settings-key table says otherwise — README, decisions). Agora's
 * limits apply (NERTC documents none). Kept here so the engine itself holds no state.
 */
export class NERtcDataChannel {
  #streamId = 0;
  #enabled = false;
  readonly #unsubscribed = new Set<number>();
  /** Remote members told as started (onUserDataStart), so start and stop are told once each. */
  readonly #started = new Set<number>();

  constructor(private readonly events: NERtcDataEvents) {}

  /** `enableLocalData`: only in a room; the remote members hear onUserDataStart/Stop. */
  enable(session: ChannelSession | undefined, enabled: unknown): number {
    if (!session) return C.invalidState;
    if (typeof enabled !== 'boolean') return C.invalidParam;
    if (!session.joinedOnce || session.status === 'disconnected' || session.status === 'failed')
      return C.roomNotJoined;
    if (enabled && this.#streamId <= 0) this.#streamId = session.streams.create({ ordered: true });
    if (this.#enabled !== enabled) session.setDataState(enabled);
    this.#enabled = enabled;
    return 0;
  }

  /** `subscribeRemoteData`: unsubscribed members' messages are not delivered (they still cross the wire). */
  subscribe(session: ChannelSession | undefined, uid: unknown, subscribe: unknown): number {
    if (!session) return C.invalidState;
    if (typeof uid !== 'number' || !Number.isInteger(uid) || typeof subscribe !== 'boolean')
      return C.invalidParam;
    if (subscribe) this.#unsubscribed.delete(uid);
    else this.#unsubscribed.add(uid);
    return 0;
  }

  /**
   * `sendData`: 0, 30005 before enableLocalData(true) or over the rate limits (60 messages per
   * second, 30 KB/s), 30101 not in a room, 30003 bad frame or over 1,024 bytes.
   */
  send(session: ChannelSession | undefined, blocked: string | undefined, frame: unknown): number {
    if (!session || blocked === 'not_initialized') return C.invalidState;
    const f = frame as Partial<NERtcDataExternalFrame> | null;
    if (
      !f ||
      !(f.data instanceof Uint8Array) ||
      !Number.isInteger(f.dataSize) ||
      f.dataSize! <= 0 ||
      f.dataSize! > f.data.byteLength ||
      f.dataSize! > MAX_STREAM_MESSAGE_BYTES
    )
      return C.invalidParam;
    if (blocked === 'not_in_channel') return C.roomNotJoined;
    if (!this.#enabled || blocked === 'audience') return C.invalidState;
    const r = session.streams.send(this.#streamId, f.data.subarray(0, f.dataSize));
    return r === StreamReturnCode.Ok ? 0 : C.invalidState;
  }

  /** A remote message: a member not yet told as started is told first (a late joiner's view). */
  received(uid: number, data: Uint8Array): void {
    if (this.#unsubscribed.has(uid)) return;
    this.remoteState(uid, true);
    this.events.message(uid, data, data.byteLength);
  }

  remoteState(uid: number, enabled: boolean): void {
    if (enabled === this.#started.has(uid)) return;
    if (enabled) this.#started.add(uid);
    else this.#started.delete(uid);
    if (enabled) this.events.start(uid);
    else this.events.stop(uid);
  }

  /** A member left: its data stops with it. */
  userLeft(uid: number): void {
    this.remoteState(uid, false);
    this.#unsubscribed.delete(uid);
  }

  /** Left the room: the stream is destroyed with the channel's streams; settings reset. */
  left(): void {
    this.#streamId = 0;
    this.#enabled = false;
    this.#started.clear();
    this.#unsubscribed.clear();
  }
}
