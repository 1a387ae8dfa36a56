/** `product.ts`: product lines from CPUID, CHIP_ID and productName. */
import { describe, expect, test } from 'vitest';
import { isProductLine, isTurinLikeChipId, parseProductName, productFromCpuid } from './product.ts';

describe('product', () => {
  test.each([
    [0x19, 0x00, 'Milan'],
    [0x19, 0x01, 'Milan'],
    [0x19, 0x0f, 'Milan'],
    [0x19, 0x10, 'Genoa'],
    [0x19, 0x11, 'Genoa'],
    [0x19, 0xa0, 'Genoa'],
    [0x19, 0xaf, 'Genoa'],
    [0x1a, 0x02, 'Turin'],
    [0x1a, 0x11, 'Turin'],
    [0x19, 0x20, undefined],
    [0x1a, 0x50, undefined],
    [0x17, 0x31, undefined],
    [0, 0, undefined],
  ])('CPUID family 0x%s model 0x%s → %s', (family, model, line) => {
    expect(productFromCpuid(family, model)).toBe(line);
  });

  test('Turin-like CHIP_IDs: 8 bytes then 56 zeros (virtee/sev); all zero (masked) is not', () => {
    const chip = new Uint8Array(64);
    expect(isTurinLikeChipId(chip)).toBe(false);
    chip.set([0x1e, 0x55, 0x0a, 0x8e, 0xe5, 0xcf, 0x9f, 0x4d]);
    expect(isTurinLikeChipId(chip)).toBe(true);
    chip[8] = 1;
    expect(isTurinLikeChipId(chip)).toBe(false);
    expect(isTurinLikeChipId(new Uint8Array(8).fill(1))).toBe(false);
  });

  test('productName: line and stepping (Milan-B0 → 0), the line alone, nothing else', () => {
    expect(parseProductName('Milan-B0')).toEqual({ line: 'Milan', stepping: 0 });
    expect(parseProductName('Milan-B1')).toEqual({ line: 'Milan', stepping: 1 });
    expect(parseProductName('Genoa-B2')).toEqual({ line: 'Genoa', stepping: 2 });
    expect(parseProductName('Turin')).toEqual({ line: 'Turin', stepping: undefined });
    for (const bad of ['', 'milan', 'Milan-', 'Milan-A0', 'Milan-B10', 'Venice', 'Milan B0']) expect(parseProductName(bad)).toBeUndefined();
    expect(isProductLine('Genoa')).toBe(true);
    expect(isProductLine('Naples')).toBe(false);
  });
});
