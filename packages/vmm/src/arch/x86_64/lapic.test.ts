/** Tests of the LINT0/LINT1 patch: ExtINT and NMI delivery modes, everything else of the 1024-byte state untouched. */
import { expect, test } from 'vitest';
import { APIC_LVT0, APIC_LVT1, LapicError, configureLint, setDeliveryMode } from './lapic.ts';

test('LVT0 gets ExtINT (7) and LVT1 NMI (4) in bits 10:8; the mask bit and vector stay (Firecracker set_lint)', () => {
  const state = new Uint8Array(1024);
  const v = new DataView(state.buffer);
  v.setUint32(APIC_LVT0, 0x10000, true); // masked, as after reset
  v.setUint32(APIC_LVT1, 0x10400 | 0x33, true);
  state[0x20] = 0x42;
  const out = configureLint(state);
  const o = new DataView(out.buffer);
  expect(o.getUint32(APIC_LVT0, true)).toBe(0x10700);
  expect(o.getUint32(APIC_LVT1, true)).toBe(0x10433);
  expect(out[0x20]).toBe(0x42);
  expect(v.getUint32(APIC_LVT0, true)).toBe(0x10000); // the input is not modified
});

test('setDeliveryMode replaces only bits 10:8', () => {
  expect(setDeliveryMode(0xffffffff, 4)).toBe(0xfffffcff);
  expect(setDeliveryMode(0, 7)).toBe(0x700);
});

test.each([0, 1023, 1025])('refuses a %i-byte state', (size) => {
  expect(() => configureLint(new Uint8Array(size))).toThrow(LapicError);
});
