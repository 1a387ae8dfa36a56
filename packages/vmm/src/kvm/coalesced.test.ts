/**
 * Tests of `CoalescedRing` over a mapping laid out as KVM writes it (the ring on the mapping's
 * third page): writes come out in ring order with their address, bytes and kind, `first` advances
 * past each one (wrapping after the last slot), and a ring or a page that is not KVM's is refused
 * with a located error. The ring filled by a real KVM is exercised by the boot test (test VM).
 */
import { describe, expect, it } from 'vitest';
import { COALESCED_ENTRY, COALESCED_RING, KVM_COALESCED_MMIO_MAX, PAGE_SIZE } from '../kvm_sys/coalesced.ts';
import { CoalescedRing } from './coalesced.ts';
import { KvmError } from './error.ts';

const RING_PAGE = 2;

/** A 3-page mapping whose ring holds `entries` from slot `first`, as KVM appends them. */
function mapping(first: number, entries: { address: number; data: number[]; pio: boolean }[]): { buffer: ArrayBuffer; indexes: Uint32Array } {
  const buffer = new ArrayBuffer(3 * PAGE_SIZE);
  const page = new DataView(buffer, RING_PAGE * PAGE_SIZE, PAGE_SIZE);
  let slot = first;
  for (const e of entries) {
    const at = COALESCED_RING.entries + slot * COALESCED_ENTRY.size;
    page.setBigUint64(at + COALESCED_ENTRY.phys_addr, BigInt(e.address), true);
    page.setUint32(at + COALESCED_ENTRY.len, e.data.length, true);
    page.setUint32(at + COALESCED_ENTRY.pio, e.pio ? 1 : 0, true);
    e.data.forEach((b, i) => page.setUint8(at + COALESCED_ENTRY.data + i, b));
    slot = (slot + 1) % KVM_COALESCED_MMIO_MAX;
  }
  const indexes = new Uint32Array(buffer, RING_PAGE * PAGE_SIZE, 2);
  indexes[0] = first;
  indexes[1] = slot;
  return { buffer, indexes };
}

describe('CoalescedRing', () => {
  it('hands over the queued writes in order and frees their slots, across the end of the ring', () => {
    const { buffer, indexes } = mapping(KVM_COALESCED_MMIO_MAX - 1, [
      { address: 0xcf8, data: [0x00, 0x00, 0x00, 0x80], pio: true },
      { address: 0xcf9, data: [0x06], pio: true },
      { address: 0x1_0000_1000, data: [1, 2, 3, 4, 5, 6, 7, 8], pio: false },
    ]);
    const ring = new CoalescedRing(buffer, RING_PAGE);
    expect(ring.pending).toBe(true);
    const seen: [number, number[], boolean][] = [];
    expect(ring.drain((address, data, pio) => seen.push([address, [...data], pio]))).toBe(3);
    expect(seen).toEqual([
      [0xcf8, [0x00, 0x00, 0x00, 0x80], true],
      [0xcf9, [0x06], true],
      [0x1_0000_1000, [1, 2, 3, 4, 5, 6, 7, 8], false],
    ]);
    expect([indexes[0], indexes[1]]).toEqual([2, 2]);
    expect(ring.pending).toBe(false);
    expect(ring.drain(() => expect.unreachable())).toBe(0);
  });

  it('frees a slot only after its write was applied: a write that throws stays queued', () => {
    const { buffer, indexes } = mapping(0, [{ address: 0xcf8, data: [0, 0, 0, 0x80], pio: true }]);
    const ring = new CoalescedRing(buffer, RING_PAGE);
    expect(() => ring.drain(() => { throw new Error('device failed'); })).toThrow('device failed');
    expect(indexes[0]).toBe(0);
    expect(ring.pending).toBe(true);
  });

  it('refuses a ring that is not KVM\'s and a page outside the mapping, naming what was wrong', () => {
    const bad = mapping(0, [{ address: 0xcf8, data: [], pio: true }]);
    expect(() => new CoalescedRing(bad.buffer, RING_PAGE).drain(() => {})).toThrow(/coalesced ring: entry 0 has length 0, expected 1 to 8/);
    bad.indexes[1] = KVM_COALESCED_MMIO_MAX;
    expect(() => new CoalescedRing(bad.buffer, RING_PAGE).drain(() => {})).toThrow(/coalesced ring: indexes first 0, last 170; the ring has 170 entries/);
    const error = (() => {
      try {
        new CoalescedRing(new ArrayBuffer(2 * PAGE_SIZE), RING_PAGE);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KvmError);
    expect((error as KvmError).kind).toBe('invalid');
    expect((error as KvmError).message).toBe('coalesced ring: page 2 is outside the vCPU mapping of 8192 bytes');
  });
});
