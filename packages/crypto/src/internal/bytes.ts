/**
 * Byte helpers used by the public modules, to validate input at the door, and by backends.
 */
import type { OwnedBytes } from '../backend/backend.ts';

/** Whether `value` is a `Uint8Array` (a Node `Buffer` is one), also across realms. */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

/** Throws a `TypeError` naming `what` unless `value` is a `Uint8Array`. */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!isBytes(value)) throw new TypeError(`${what} must be a Uint8Array, got ${describe(value)}`);
}

/** Whether `value` is an integer in `[min, max]`. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** A short description of a value for an error message, without its contents. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  if (typeof value === 'number') return `number ${value}`;
  return typeof value;
}

/** A copy of `bytes` in a fresh `ArrayBuffer` (drops `Buffer` pooling and shared memory). */
export function ownedCopy(bytes: Uint8Array): OwnedBytes {
  return new Uint8Array(bytes);
}

/** `bytes` itself if it is backed by a plain `ArrayBuffer` (what WebCrypto accepts), else a copy. */
export function arrayBufferBacked(bytes: Uint8Array): OwnedBytes {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as OwnedBytes) : ownedCopy(bytes);
}

/**
 * Fresh library output as a plain `Uint8Array`: a new view of the same memory when `bytes` spans all
 * of its own `ArrayBuffer` (as the unpooled `Buffer`s that `node:crypto` ciphers return do), else a
 * copy. Saves a copy of bulk cipher output without ever handing out a view of a shared pool. Only
 * for bytes nobody else holds: never for a caller's input.
 */
export function adopt(bytes: Uint8Array): OwnedBytes {
  const buffer = bytes.buffer;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return new Uint8Array(buffer);
  return ownedCopy(bytes);
}

/**
 * `a` followed by `b`: a view over both when `b` directly follows `a` in the same buffer (as the
 * ciphertext and tag views an AEAD returned), else a new array with both copied in. Read-only use:
 * the result may share memory with the inputs.
 */
export function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.buffer === b.buffer && a.byteOffset + a.length === b.byteOffset) return new Uint8Array(a.buffer, a.byteOffset, a.length + b.length);
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
