import type { Attachment } from './live-session.js';

/**
 * A session's transports by attachment id: the attached or attaching one and, for the moment of a
 * resume, the one it replaces. One is kept in two fields; a Map only while there are more (a
 * Map and its table were ~370 bytes of every connection's heap, kept for the connection's life).
 */
export class Attachments {
  #id = 0;
  #one: Attachment | undefined;
  #more: Map<number, Attachment> | undefined;

  get(id: number): Attachment | undefined {
    if (this.#more) return this.#more.get(id);
    return id === this.#id ? this.#one : undefined;
  }

  set(id: number, attachment: Attachment): void {
    if (this.#more) this.#more.set(id, attachment);
    else if (this.#one === undefined || this.#id === id) {
      this.#id = id;
      this.#one = attachment;
    } else
      this.#more = new Map([
        [this.#id, this.#one],
        [id, attachment],
      ]);
  }

  delete(id: number): void {
    if (!this.#more) {
      if (id === this.#id) {
        this.#id = 0;
        this.#one = undefined;
      }
      return;
    }
    this.#more.delete(id);
    if (this.#more.size > 1) return;
    const [last] = this.#more;
    this.#more = undefined;
    this.#id = last?.[0] ?? 0;
    this.#one = last?.[1];
  }

  get size(): number {
    return this.#more?.size ?? (this.#one ? 1 : 0);
  }
}
