/** Tests of the e820 map: RAM below and above the MMIO gap, the legacy and KVM reservations, and the zero page's limits. */
import { describe, expect, test } from 'vitest';
import { E820Error, E820Type, buildE820, checkE820 } from './e820.ts';
import { GIB, MIB } from './layout.ts';

const RAM = E820Type.RAM;
const RESERVED = E820Type.RESERVED;

describe('buildE820', () => {
  test('128 MiB: RAM below the EBDA, the legacy area reserved, RAM from 1 MiB, KVM pages reserved', () => {
    expect(buildE820(128 * MIB)).toEqual([
      { addr: 0, size: 0x9fc00, type: RAM },
      { addr: 0x9fc00, size: 0x100000 - 0x9fc00, type: RESERVED },
      { addr: 0x100000, size: 127 * MIB, type: RAM },
      { addr: 0xfffbc000, size: 0x4000, type: RESERVED },
    ]);
  });

  test('exactly 3 GiB fills RAM up to the gap and adds nothing above 4 GiB', () => {
    const map = buildE820(3 * GIB);
    expect(map[2]).toEqual({ addr: 0x100000, size: 3 * GIB - MIB, type: RAM });
    expect(map).toHaveLength(4);
  });

  test('8 GiB: 3 GiB below the gap, 5 GiB from 4 GiB', () => {
    const map = buildE820(8 * GIB);
    expect(map.at(-1)).toEqual({ addr: 4 * GIB, size: 5 * GIB, type: RAM });
    expect(map.filter((e) => e.type === RAM).reduce((sum, e) => sum + e.size, 0)).toBe(8 * GIB - (0x100000 - 0x9fc00));
  });

  test('no RAM entry overlaps the MMIO gap [3 GiB, 4 GiB)', () => {
    for (const e of buildE820(64 * GIB).filter((e) => e.type === RAM)) expect(e.addr + e.size <= 3 * GIB || e.addr >= 4 * GIB).toBe(true);
  });

  test('the map passes its own check', () => {
    expect(() => checkE820(buildE820(6 * GIB))).not.toThrow();
  });

  test('rejects an unusable RAM size with E820Error', () => {
    expect(() => buildE820(MIB)).toThrow(E820Error);
  });
});

describe('checkE820', () => {
  test('zero-page.rst: e820_table holds at most 128 entries', () => {
    const entries = Array.from({ length: 129 }, (_, i) => ({ addr: i * 0x1000, size: 0x1000, type: RAM }));
    expect(() => checkE820(entries)).toThrow(/128/);
    expect(() => checkE820(entries.slice(0, 128))).not.toThrow();
  });

  test.each([
    [[{ addr: 0, size: 0, type: RAM }], /non-empty/],
    [[{ addr: -1, size: 10, type: RAM }], /non-empty/],
    [[{ addr: 0, size: 10, type: 0 }], /type/],
    [[{ addr: 0x1000, size: 0x1000, type: RAM }, { addr: 0x1800, size: 0x1000, type: RAM }], /overlaps/],
  ])('rejects %o', (entries, message) => {
    expect(() => checkE820(entries)).toThrow(message);
  });
});
