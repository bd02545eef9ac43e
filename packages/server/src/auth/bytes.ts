// Little-endian byte packing used by Agora-compatible AccessToken2 ("007") tokens.
// Strings and byte blobs carry a u16 length prefix.

const MAX_U16 = 0xffff;

/** Thrown by ByteReader when the input is shorter than a read needs, or a string is not UTF-8. */
export class ByteReadError extends Error {
  override readonly name = 'ByteReadError';
}

export class ByteWriter {
  private readonly chunks: Buffer[] = [];

  u16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(value);
    this.chunks.push(b);
    return this;
  }

  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.chunks.push(b);
    return this;
  }

  /** u16 length prefix, then the bytes. */
  bytes(value: Uint8Array): this {
    if (value.length > MAX_U16) {
      throw new RangeError(`byte string too long for a u16 length prefix: ${value.length}`);
    }
    this.u16(value.length);
    this.chunks.push(Buffer.from(value));
    return this;
  }

  /** UTF-8 encoded, u16 length prefix. */
  string(value: string): this {
    return this.bytes(Buffer.from(value, 'utf8'));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bounds-checked reader: every read either succeeds or throws ByteReadError; it never reads past the end. */
export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number): Buffer {
    if (n > this.remaining) {
      throw new ByteReadError(`truncated: need ${n} bytes at offset ${this.pos}, ${this.remaining} left`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  u16(): number {
    return this.take(2).readUInt16LE(0);
  }

  u32(): number {
    return this.take(4).readUInt32LE(0);
  }

  /** Reads a u16 length prefix and that many bytes (a view into the input, not a copy). */
  bytes(): Buffer {
    return this.take(this.u16());
  }

  string(): string {
    const at = this.pos;
    const raw = this.bytes();
    try {
      return utf8.decode(raw);
    } catch {
      throw new ByteReadError(`invalid UTF-8 in string at offset ${at}`);
    }
  }
}
