/**
 * The builtin ARK/ASK of each generation are AMD's files byte for byte (the virtee-sev copies),
 * each verifies, and a CEK's generation is found by which builtin ASK signed it.
 */
import { describe, expect, test } from 'vitest';
import { SEV_GENERATIONS, identifySevCekGeneration, sevBuiltinCaChain, sevBuiltinGeneration } from './builtin.ts';
import { SevCaCertificate } from './ca_certificate.ts';
import { SevCertificate } from './certificate.ts';
import { builtinFile, flipped, hex, platformFile } from './testing/files.ts';

describe.each(SEV_GENERATIONS)('the builtin %s CA chain', (generation) => {
  test('is AMD\'s ARK and ASK byte for byte, and verifies', async () => {
    const chain = sevBuiltinCaChain(generation);
    expect(hex(chain.ark.encode())).toBe(hex(builtinFile(generation, 'ark')));
    expect(hex(chain.ask.encode())).toBe(hex(builtinFile(generation, 'ask')));
    expect((await chain.verify()).valid).toBe(true);
  });

  test('its certificates are recognised, a changed copy is not', () => {
    expect(sevBuiltinGeneration(SevCaCertificate.decode(builtinFile(generation, 'ark')))).toBe(generation);
    expect(sevBuiltinGeneration(SevCaCertificate.decode(builtinFile(generation, 'ask')))).toBe(generation);
    expect(sevBuiltinGeneration(SevCaCertificate.decode(flipped(builtinFile(generation, 'ark'), 0x100)))).toBeUndefined();
  });
});

test('the generations are the five with a legacy SEV PKI, oldest first', () => {
  expect(SEV_GENERATIONS).toEqual(['naples', 'rome', 'milan', 'genoa', 'turin']);
  expect(() => sevBuiltinCaChain('venice' as never)).toThrow(TypeError);
});

test.each(['naples', 'rome'] as const)('the %s CEK is identified by the ASK that signed it', async (generation) => {
  expect(await identifySevCekGeneration(SevCertificate.decode(platformFile(generation, 'cek')))).toBe(generation);
  expect(await identifySevCekGeneration(SevCertificate.decode(platformFile(generation, 'pek')))).toBeUndefined();
});
