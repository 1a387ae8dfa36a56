/**
 * Bounds-checked little-endian access to guest RAM below the MMIO gap, given as a `Uint8Array`
 * whose offset is the guest-physical address. Shared by the boot-structure writers; each caller
 * turns a failed check into its own module's error.
 */

/** Whether `[address, address + length)` lies inside `mem`. */
export function fits(mem: Uint8Array, address: number, length: number): boolean {
  return Number.isSafeInteger(address) && Number.isSafeInteger(length) && address >= 0 && length >= 0 && address + length <= mem.length;
}

/** A DataView over exactly `mem`. */
export function viewOf(mem: Uint8Array): DataView {
  return new DataView(mem.buffer, mem.byteOffset, mem.byteLength);
}

/** The byte sum of `bytes` modulo 256. */
export function byteSum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** The checksum byte that makes the sum of `bytes` plus it zero modulo 256. */
export function checksumByte(bytes: Uint8Array): number {
  return (0x100 - byteSum(bytes)) & 0xff;
}

/** `0x1f1`-style hexadecimal for messages. */
export function hex(value: number | bigint): string {
  return `0x${value.toString(16)}`;
}
