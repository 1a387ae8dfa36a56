/**
 * Test data (tests only): the shared SEV test data beside the repository
 * (`<repo>/../shared/testdata/sev/`, see its README.md and each MANIFEST.md). A missing file throws,
 * naming where it was looked for: the tests never skip.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pemBlocks } from '../bytes.ts';

/** `<repo>/../shared/testdata/sev/`. */
export const SEV_DIR = new URL('../../../../../../shared/testdata/sev/', import.meta.url);

/** The path of `path` under the SEV test data (it must exist). */
export function sevPath(path: string): string {
  const file = fileURLToPath(new URL(path, SEV_DIR));
  if (!existsSync(file)) throw new Error(`SEV test data not found: ${file} does not exist (the "shared" folder beside the repository)`);
  return file;
}

/** The bytes of `path` under the SEV test data. */
export function sevFile(path: string): Uint8Array {
  return new Uint8Array(readFileSync(sevPath(path)));
}

/** The text of `path`. */
export function sevText(path: string): string {
  return readFileSync(sevPath(path), 'utf8');
}

/** The DER of every CERTIFICATE block of a PEM file, in order. */
export function pemCertificates(path: string): Uint8Array[] {
  return pemBlocks(sevText(path))
    .filter((b) => b.label === 'CERTIFICATE')
    .map((b) => b.der);
}

/** The DER of the one PRIVATE KEY block of a PEM file (PKCS#8). */
export function pemPrivateKey(path: string): Uint8Array {
  const blocks = pemBlocks(sevText(path)).filter((b) => b.label === 'PRIVATE KEY');
  if (blocks.length !== 1) throw new Error(`${path}: expected one PRIVATE KEY block`);
  return blocks[0]!.der;
}

/** Real reports and certificates used across the tests, by MANIFEST. */
export const DATA = {
  /** go-sev-guest: v2 Milan report, its VCEK, the Milan bundle (verifies at 2022-09-24T01:00Z and later). */
  goReport: 'go-sev-guest/verify/testdata/attestation.bin',
  goVcek: 'go-sev-guest/verify/testdata/vcek.testcer',
  goMilanChain: 'go-sev-guest/verify/testdata/milan.testcer',
  goMilanVlekChain: 'go-sev-guest/verify/testdata/milanvlek.testcer',
  trust: {
    milan: 'go-sev-guest/verify/trust/ask_ark_milan.pem',
    milanVlek: 'go-sev-guest/verify/trust/ask_ark_milan_vlek.pem',
    genoa: 'go-sev-guest/verify/trust/ask_ark_genoa.pem',
    genoaVlek: 'go-sev-guest/verify/trust/ask_ark_genoa_vlek.pem',
    turin: 'go-sev-guest/verify/trust/ask_ark_turin_vcek.pem',
    turinVlek: 'go-sev-guest/verify/trust/ask_ark_turin_vlek.pem',
  },
  keys: {
    ark: 'go-sev-guest/testing/data/keys/ark_private_key.pem',
    ask: 'go-sev-guest/testing/data/keys/ask_private_key.pem',
    asvk: 'go-sev-guest/testing/data/keys/asvk_private_key.pem',
  },
  /** virtee/sev: v2 Milan report (hex), its VCEK, the Milan and Turin chains, a Turin VCEK. */
  virteeReportHex: 'virtee-sev/tests/certs_data/report_milan.hex',
  virteeVcek: 'virtee-sev/tests/certs_data/vcek_milan.der',
  virteeMilanChain: 'virtee-sev/tests/certs_data/cert_chain_milan',
  virteeTurinChain: 'virtee-sev/tests/certs_data/cert_chain_turin',
  virteeTurinVcek: 'virtee-sev/tests/certs_data/vcek_turin.der',
  virteeBuiltin: 'virtee-sev/src/certs/snp/builtin/',
  /** LIT Protocol: reports without VCEKs. */
  litReport: 'lit-sev-snp-utils/resources/test/guest_report.bin',
  litBadSig: 'lit-sev-snp-utils/resources/test/guest_report_bad_sig.bin',
  litCorrupt: 'lit-sev-snp-utils/resources/test/guest_report_corrupt.bin',
  litMsgReportRsp: 'lit-sev-snp-utils/resources/test/snp_report_msg_resp.bin',
  litMsgKeyRsp: 'lit-sev-snp-utils/resources/test/snp_derived_key_msg_resp.bin',
  litWasmValid: 'lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/valid_report.bin',
  litWasmVcekUrl: 'lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/valid_report_vcek_url.txt',
  litWasmBadSig: 'lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/bad_sig_report.bin',
  litWasmCorrupt: 'lit-sev-snp-utils-wasm/derived_from_tests_constants_rs/corrupt_report.bin',
} as const;

/** When go-sev-guest's TestVerifyVcekCert checks its VCEK: 2022-09-24T01:00Z. */
export const GO_VCEK_TIME = new Date('2022-09-24T01:00:00Z');

/** A time at which every real certificate of the test data is valid. */
export const ALL_VALID_TIME = new Date('2025-06-01T00:00:00Z');
