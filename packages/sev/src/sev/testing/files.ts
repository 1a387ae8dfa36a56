/**
 * Test helpers for the legacy SEV tests: the real certificates of the shared SEV test data
 * (`<repo>/../shared/testdata/sev/`, see its README.md and each MANIFEST.md). A missing file
 * throws, naming where it was looked for: the tests never skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/testdata/sev/`. */
export const SEV_TESTDATA = new URL('../../../../../../shared/testdata/sev/', import.meta.url);

/** The bytes of `path` under the SEV test data. */
export function sevFile(path: string): Uint8Array {
  const file = fileURLToPath(new URL(path, SEV_TESTDATA));
  if (!existsSync(file)) throw new Error(`SEV test data not found: ${file} does not exist (the "shared" folder beside the repository)`);
  return new Uint8Array(readFileSync(file));
}

/** The virtee/sev copy of AMD's AMD-format ARK or ASK of `generation`. */
export function builtinFile(generation: string, which: 'ark' | 'ask'): Uint8Array {
  return sevFile(`virtee-sev/src/certs/sev/builtin/${generation}/${which}.cert`);
}

/** The virtee/sev test platform certificate `which` of `generation` (`naples` or `rome`). */
export function platformFile(generation: 'naples' | 'rome', which: 'pdh' | 'pek' | 'oca' | 'cek'): Uint8Array {
  return sevFile(`virtee-sev/tests/${generation}/${which}.cert`);
}

/** The DER of every `CERTIFICATE` block in a PEM file of the SEV test data, in order. */
export function pemCertificates(path: string): Uint8Array[] {
  const text = new TextDecoder().decode(sevFile(path));
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

/** `a ‖ b ‖ ...`. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A copy of `bytes` with `bytes[index] ^= mask`. */
export function flipped(bytes: Uint8Array, index: number, mask = 0xff): Uint8Array {
  const out = bytes.slice();
  out[index]! ^= mask;
  return out;
}

/** Lower-case hex. */
export const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
