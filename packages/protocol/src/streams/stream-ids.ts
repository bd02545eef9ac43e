import { StreamReturnCode } from './codes.js';
import { MAX_DATA_STREAMS } from './limits.js';

/** Agora 4.x `DataStreamConfig`. `syncWithAudio` is accepted and has no effect until media exists. */
export interface DataStreamConfig {
  syncWithAudio?: boolean;
  ordered?: boolean;
}

/** A created stream's settings, with defaults applied (Agora: both default to false). */
export interface DataStreamInfo {
  id: number;
  syncWithAudio: boolean;
  ordered: boolean;
}

/**
 * Stream ids of one engine lifetime in a channel: 1, 2, … up to {@link MAX_DATA_STREAMS}; the next
 * `create` returns -116 ErrTooManyDataStreams. Ids are not reused until `reset()` (call it on leave —
 * Agora destroys data streams when the engine leaves the channel).
 */
export class DataStreamIds {
  readonly #max: number;
  readonly #streams = new Map<number, DataStreamInfo>();
  #next = 1;

  constructor(max = MAX_DATA_STREAMS) {
    this.#max = max;
  }

  /** A new stream id (> 0), or -116 when the lifetime's streams are used up. */
  create(config: DataStreamConfig = {}): number {
    if (this.#next > this.#max) return StreamReturnCode.TooManyDataStreams;
    const id = this.#next++;
    this.#streams.set(id, {
      id,
      syncWithAudio: config.syncWithAudio === true,
      ordered: config.ordered === true,
    });
    return id;
  }

  has(id: number): boolean {
    return this.#streams.has(id);
  }

  get(id: number): DataStreamInfo | undefined {
    return this.#streams.get(id);
  }

  list(): DataStreamInfo[] {
    return [...this.#streams.values()];
  }

  /** On leave: every stream is destroyed and the next channel starts again at id 1. */
  reset(): void {
    this.#streams.clear();
    this.#next = 1;
  }
}
