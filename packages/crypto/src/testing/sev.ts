/**
 * Reads the real AMD certificates of the shared SEV test data
 * (`<repo>/../shared/testdata/sev/`, see its README.md and each MANIFEST.md), PEM or DER.
 * A missing file throws, naming where it was looked for: the tests never skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/testdata/sev/`. */
export const SEV_DIR = new URL('../../../../../shared/testdata/sev/', import.meta.url);

/** The bytes of `path` under the SEV test data. */
export function sevFile(path: string): Uint8Array<ArrayBuffer> {
  const file = fileURLToPath(new URL(path, SEV_DIR));
  if (!existsSync(file)) throw new Error(`SEV test data not found: ${file} does not exist (the "shared" folder beside the repository)`);
  return new Uint8Array(readFileSync(file));
}

/** The DER of every `CERTIFICATE` block in a PEM file, in order. */
export function pemCertificates(path: string): Uint8Array<ArrayBuffer>[] {
  const text = new TextDecoder().decode(sevFile(path));
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
}

/** The DER of the only certificate in a PEM file. */
export function pemCertificate(path: string): Uint8Array<ArrayBuffer> {
  const certs = pemCertificates(path);
  if (certs.length !== 1) throw new Error(`${path}: ${certs.length} certificates, expected 1`);
  return certs[0]!;
}
