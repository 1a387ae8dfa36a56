/**
 * `SevCaChain`, `SevPlatformChain`, `SevChain`: the real Naples and Rome chains (platform
 * certificates from virtee-sev `tests/`, ASK and ARK from its `builtin/`) decode, encode back byte
 * for byte and verify with every check listed; a chain with the wrong CA, or one bad certificate,
 * reports exactly the checks that fail; misordered or truncated chains are located errors.
 */
import { describe, expect, test } from 'vitest';
import { SevCaChain, SevChain, SevPlatformChain } from './chain.ts';
import { SevFormatError } from './error.ts';
import { builtinFile, concat, flipped, hex, platformFile, sevFile } from './testing/files.ts';

const platformBytes = (g: 'naples' | 'rome') => concat(...(['pdh', 'pek', 'oca', 'cek'] as const).map((w) => platformFile(g, w)));
const caBytes = (g: string) => concat(builtinFile(g, 'ask'), builtinFile(g, 'ark'));

const ALL_CHECKS = ['ARK→ARK', 'ARK→ASK', 'ASK→CEK', 'OCA→OCA', 'OCA→PEK', 'CEK→PEK', 'PEK→PDH'];

function thrown(run: () => unknown): SevFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SevFormatError);
    return error as SevFormatError;
  }
  throw new Error('expected an error');
}

const located = (e: SevFormatError) => ({ code: e.code, structure: e.structure, field: e.field, offset: e.offset });

describe.each(['naples', 'rome'] as const)('the whole %s chain', (generation) => {
  const bytes = concat(platformBytes(generation), caBytes(generation));

  test('decodes, encodes back byte for byte, and verifies with all seven checks', async () => {
    const chain = SevChain.decode(bytes);
    expect(hex(chain.encode())).toBe(hex(bytes));
    const report = await chain.verify();
    expect(report.checks.map((c) => `${c.signer}→${c.signee}`)).toEqual(ALL_CHECKS);
    expect(report.checks.every((c) => c.result.valid)).toBe(true);
    expect(report.valid).toBe(true);
  });

  test('its halves decode and verify on their own', async () => {
    expect((await SevPlatformChain.decode(platformBytes(generation)).verify()).valid).toBe(true);
    expect((await SevCaChain.decode(caBytes(generation)).verify()).valid).toBe(true);
  });
});

describe.each(['milan', 'genoa', 'turin'])('the %s CA chain (ASK ‖ ARK)', (generation) => {
  test('decodes, encodes back, verifies', async () => {
    const chain = SevCaChain.decode(caBytes(generation));
    expect(hex(chain.encode())).toBe(hex(caBytes(generation)));
    const report = await chain.verify();
    expect(report).toEqual({ valid: true, checks: [{ signer: 'ARK', signee: 'ARK', result: { valid: true } }, { signer: 'ARK', signee: 'ASK', result: { valid: true } }] });
  });
});

describe('chains that do not verify list every failing check', () => {
  test('the Naples platform with the Rome CA: only ASK → CEK fails', async () => {
    const report = await SevChain.decode(concat(platformBytes('naples'), caBytes('rome'))).verify();
    expect(report.valid).toBe(false);
    expect(report.checks.filter((c) => !c.result.valid).map((c) => [`${c.signer}→${c.signee}`, !c.result.valid && c.result.failure])).toEqual([['ASK→CEK', 'algorithmMismatch']]);
  });

  test('a PEK with a changed header fails both of its signatures and nothing else', async () => {
    const bytes = concat(platformBytes('rome'), caBytes('rome'));
    const report = await SevChain.decode(flipped(bytes, 2084 + 6)).verify();
    expect(report.checks.filter((c) => !c.result.valid).map((c) => `${c.signer}→${c.signee}`)).toEqual(['OCA→PEK', 'CEK→PEK']);
  });

  test('a PEK with a changed key also fails to sign the PDH', async () => {
    const bytes = concat(platformBytes('rome'), caBytes('rome'));
    const report = await SevChain.decode(flipped(bytes, 2084 + 0x30)).verify();
    expect(report.checks.filter((c) => !c.result.valid).map((c) => `${c.signer}→${c.signee}`)).toEqual(['OCA→PEK', 'CEK→PEK', 'PEK→PDH']);
  });

  test('a tampered ARK fails its self-signature and the ASK\'s', async () => {
    const bytes = caBytes('milan');
    const report = await SevCaChain.decode(flipped(bytes, 1600 + 0x100)).verify();
    expect(report.checks.map((c) => c.result.valid)).toEqual([false, false]);
  });
});

describe('misordered and truncated chains are located errors', () => {
  test('ARK ‖ ASK: the first certificate must be the ASK', () => {
    const e = thrown(() => SevCaChain.decode(concat(builtinFile('rome', 'ark'), builtinFile('rome', 'ask'))));
    expect(located(e)).toEqual({ code: 'invalidValue', structure: 'SEV CA chain: ASK', field: 'key_usage', offset: 0x24 });
    expect(e.message).toBe('SEV CA chain: ASK: key_usage at offset 36 (0x24): ARK; expected the ASK here');
  });

  test('PEK first: the first certificate must be the PDH', () => {
    const bytes = concat(...(['pek', 'pdh', 'oca', 'cek'] as const).map((w) => platformFile('naples', w)));
    expect(located(thrown(() => SevPlatformChain.decode(bytes)))).toEqual({ code: 'invalidValue', structure: 'SEV platform chain: PDH', field: 'pubkey_usage', offset: 8 });
  });

  test('offsets count from the start of the chain', () => {
    const bytes = concat(platformBytes('rome'), caBytes('rome'));
    expect(located(thrown(() => SevChain.decode(bytes.subarray(0, 4 * 2084 + 1600 + 100))))).toEqual({
      code: 'truncated',
      structure: 'SEV chain: ARK',
      field: 'pub_exp',
      offset: 4 * 2084 + 1600 + 64,
    });
    const bad = bytes.slice();
    new DataView(bad.buffer).setUint32(2 * 2084 + 16, 7, true);
    expect(located(thrown(() => SevChain.decode(bad)))).toEqual({ code: 'invalidValue', structure: 'SEV chain: OCA', field: 'pubkey.curve', offset: 2 * 2084 + 16 });
  });

  test('a chain shorter than its four platform certificates says so', () => {
    expect(located(thrown(() => SevChain.decode(platformBytes('naples').subarray(0, 3000))))).toEqual({
      code: 'truncated',
      structure: 'SEV chain',
      field: 'PDH ‖ PEK ‖ OCA ‖ CEK',
      offset: 0,
    });
  });

  test('bytes after the ARK are trailing data', () => {
    expect(located(thrown(() => SevCaChain.decode(concat(caBytes('genoa'), new Uint8Array(2)))))).toEqual({ code: 'trailingData', structure: 'SEV CA chain: ARK', field: 'end', offset: 3200 });
  });

  test('a Naples chain ending in the truncated ARK gets the ARK\'s signature back', async () => {
    const chain = SevCaChain.decode(concat(builtinFile('naples', 'ask'), sevFile('virtee-sev/tests/naples/ark.cert.bad')));
    expect(chain.ark.signatureInjected).toBe(true);
    expect(hex(chain.encode())).toBe(hex(caBytes('naples')));
    expect((await chain.verify()).valid).toBe(true);
  });
});
