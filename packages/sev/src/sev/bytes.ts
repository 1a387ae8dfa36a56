/**
 * Little-endian reading and writing for the legacy SEV formats. {@link ByteReader} reads fields by
 * name and throws a located {@link SevFormatError} when the input ends early; the helpers convert
 * between the formats' little-endian integers and the big-endian ones `@tsvmm/crypto` takes.
 */
import { SevFormatError } from './error.ts';

/** Reads named little-endian fields from `bytes`, tracking the offset for error messages. */
export class ByteReader {
  #offset: number;

  /**
   * @param bytes the whole input
   * @param structure what is being decoded (for messages); change it with {@link structure}
   * @param offset where to start
   */
  constructor(
    readonly bytes: Uint8Array,
    public structure: string,
    offset = 0,
  ) {
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  /** Throws `truncated` unless `length` more bytes are there for `field`. */
  need(field: string, length: number): void {
    if (this.remaining < length) {
      const have = Math.max(0, this.remaining);
      throw new SevFormatError('truncated', this.structure, field, this.#offset, `needs ${length} bytes, the input has ${have} left`);
    }
  }

  u8(field: string): number {
    this.need(field, 1);
    return this.bytes[this.#offset++]!;
  }

  u16(field: string): number {
    this.need(field, 2);
    const v = this.bytes[this.#offset]! | (this.bytes[this.#offset + 1]! << 8);
    this.#offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(field, 4);
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  /** A copy of the next `length` bytes. */
  take(field: string, length: number): Uint8Array {
    this.need(field, length);
    const out = this.bytes.slice(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }

  /** A located `invalidValue` error for `field`, which starts at `offset`. */
  invalid(field: string, offset: number, detail: string): SevFormatError {
    return new SevFormatError('invalidValue', this.structure, field, offset, detail);
  }

  /** Throws `trailingData` if bytes remain. */
  end(): void {
    if (this.remaining > 0) {
      throw new SevFormatError('trailingData', this.structure, 'end', this.#offset, `${this.remaining} bytes after the end`);
    }
  }
}

/** Appends little-endian fields; {@link finish} returns the bytes. */
export class ByteWriter {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  u8(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff));
  }

  u16(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff, (value >>> 8) & 0xff));
  }

  u32(value: number): this {
    return this.bytes(Uint8Array.of(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff));
  }

  bytes(value: Uint8Array): this {
    this.#parts.push(value);
    this.#length += value.length;
    return this;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/** The bytes of `le` in reverse order (little-endian ↔ big-endian), as a new array. */
export function reversed(le: Uint8Array): Uint8Array {
  return le.slice().reverse();
}

/** Whether every byte of `bytes[from, to)` is zero. */
export function isZero(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Whether `a` and `b` hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Throws a `TypeError` unless `value` is a `Uint8Array` (misuse, not malformed input). */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
}
