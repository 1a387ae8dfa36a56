/**
 * Signature verification in the legacy SEV PKI: whether one certificate (the signer) signed
 * another (the signee), for any pairing of AMD-format ({@link SevCaCertificate}) and SEV-format
 * ({@link SevCertificate}) certificates.
 *
 * A signature that does not verify is a result, never an exception: {@link verifySevSignature}
 * resolves with `{ valid: false, failure, message }`, `failure` a stable ID. The rules, as
 * virtee/sev applies them and the SEV API spec describes them:
 *
 * - AMD-format certificates are signed by an ARK only (`signerCannotSign` otherwise), whose
 *   `key_id` must be the signee's `certifying_id` (`keyIdMismatch`) and whose key size must be the
 *   signee's (`algorithmMismatch`: the signature's hash follows the size). RSASSA-PSS, MGF1 with the
 *   same hash, salt as long as the hash; the signature is little-endian.
 * - A SEV-format certificate carries two signature slots. The signer must be a signing key
 *   (ECDSA or RSA: a PDH's ECDH key never signs: `signerCannotSign`); a slot whose usage is the
 *   signer's must hold the signature (`noSignature`), with the signer's algorithm
 *   (`algorithmMismatch`: for an AMD-format signer, RSA_SHA256 for 2048 bits and RSA_SHA384 for
 *   4096). ECDSA signatures are `r`, `s` little-endian, over the hash the algorithm names.
 * - Every slot of the signee must be canonical (`malformedSignature` otherwise): empty (usage
 *   0x1000, algorithm 0, all zero) or a signature whose bytes beyond the value are zero. The slots
 *   are not signed, so this is what keeps a tampered slot from passing unnoticed.
 * - A signer key that `@tsvmm/crypto` cannot import is `invalidKey` (or `unsupportedKey` for a
 *   P-256 key: `@tsvmm/crypto` has P-384 only, as openvmm).
 */
import { EcdsaError, RsaError, isUnsupported } from '@tsvmm/crypto';
import { isZero, reversed, toHex } from './bytes.ts';
import { SevCaCertificate } from './ca_certificate.ts';
import { SEV_SIGNATURE_SIZE, SevCertificate, curveSize, type SevPublicKey } from './certificate.ts';
import { SevAlgorithm, SevCurve, SevUsage, algorithmHash, algorithmName, curveName, isRsaAlgorithm, isSignatureAlgorithm, usageName } from './usage.ts';

/**
 * Why a signature does not verify (stable IDs):
 * - `signerCannotSign`: the signer's key cannot make this kind of signature at all;
 * - `keyIdMismatch`: the signee's `certifying_id` is not the signer's `key_id`;
 * - `noSignature`: no signature slot of the signee has the signer's usage;
 * - `algorithmMismatch`: the signature's algorithm or hash is not the signer's;
 * - `malformedSignature`: a signature slot is not canonical;
 * - `invalidKey`: the signer's public key is not a valid key;
 * - `unsupportedKey`: the signer's key is valid but `@tsvmm/crypto` cannot use it (P-256);
 * - `badSignature`: the signature does not verify under the signer's key.
 */
export type SevVerifyFailure =
  | 'signerCannotSign'
  | 'keyIdMismatch'
  | 'noSignature'
  | 'algorithmMismatch'
  | 'malformedSignature'
  | 'invalidKey'
  | 'unsupportedKey'
  | 'badSignature';

/** The outcome of {@link verifySevSignature}. `slot` is the signee's slot that verified (SEV-format signees). */
export type SevVerifyResult = { valid: true; slot?: 0 | 1 } | { valid: false; failure: SevVerifyFailure; message: string };

/** Any certificate of the legacy SEV PKI. */
export type SevAnyCertificate = SevCaCertificate | SevCertificate;

const fail = (failure: SevVerifyFailure, message: string): SevVerifyResult => ({ valid: false, failure, message });

/** Maps a crypto module's key error to a result; rethrows anything else. */
function keyFailure(error: unknown, signer: string): SevVerifyResult {
  if (error instanceof RsaError || error instanceof EcdsaError) {
    const cause = error.cause;
    if (isUnsupported(cause)) return fail('unsupportedKey', `the ${signer}'s key is not supported by the linked crypto backend: ${(cause as Error).message}`);
    return fail('invalidKey', `the ${signer}'s public key is not a valid key: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  throw error;
}

/** Maps a crypto module's error during verification to a result; rethrows anything else. */
function verifyFailure(error: unknown, signer: string): SevVerifyResult {
  if (error instanceof RsaError || error instanceof EcdsaError) {
    const cause = error.cause;
    if (isUnsupported(cause)) return fail('unsupportedKey', `the linked crypto backend cannot verify the ${signer}'s signature: ${(cause as Error).message}`);
    return fail('badSignature', `the signature could not be checked with the ${signer}'s key: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  throw error;
}

/** Whether a slot is the canonical empty slot. */
function isEmptySlot(slot: SevCertificate['signatures'][number]): boolean {
  return slot.usage === SevUsage.Invalid && slot.algorithm === SevAlgorithm.None && isZero(slot.signature);
}

const SIGNER_USAGES: readonly number[] = [SevUsage.Ark, SevUsage.Ask, SevUsage.Oca, SevUsage.Pek, SevUsage.Cek];

/** The first non-canonical slot of `signee`, as a failure; `undefined` if all are canonical. */
function checkSlots(signee: SevCertificate): SevVerifyResult | undefined {
  for (const [index, slot] of signee.signatures.entries()) {
    if (isEmptySlot(slot)) continue;
    const name = `sig${index + 1}`;
    if (!SIGNER_USAGES.includes(slot.usage) || !isSignatureAlgorithm(slot.algorithm)) {
      return fail('malformedSignature', `the ${signee.usageName}'s ${name} is neither empty (usage 0x1000, algorithm 0, zero bytes) nor a signature: usage ${usageName(slot.usage)}, algorithm ${algorithmName(slot.algorithm)}`);
    }
    // ECDSA values are below the group order, at most 48 bytes (P-384): the rest of r, s and the reserved bytes are zero.
    if (!isRsaAlgorithm(slot.algorithm) && !(isZero(slot.signature, 48, 72) && isZero(slot.signature, 72 + 48, SEV_SIGNATURE_SIZE))) {
      return fail('malformedSignature', `the ${signee.usageName}'s ${name} (ECDSA) has non-zero bytes beyond r and s`);
    }
  }
  return undefined;
}

/** Verifies an AMD-format signee (ARK or ASK) against an AMD-format signer. */
async function verifyCaByCa(signer: SevCaCertificate, signee: SevCaCertificate): Promise<SevVerifyResult> {
  const who = `${signer.usageName} → ${signee.usageName}`;
  if (signer.keyUsage !== SevUsage.Ark) return fail('signerCannotSign', `${who}: only an ARK signs AMD-format certificates, the signer is an ${signer.usageName}`);
  if (toHex(signee.certifyingId) !== toHex(signer.keyId)) {
    return fail('keyIdMismatch', `${who}: the ${signee.usageName}'s certifying_id ${toHex(signee.certifyingId)} is not the ${signer.usageName}'s key_id ${toHex(signer.keyId)}`);
  }
  if (signer.modulusBits !== signee.modulusBits) {
    return fail('algorithmMismatch', `${who}: the ${signee.usageName} is a ${signee.modulusBits}-bit certificate (RSA-PSS with ${signee.signatureHash}), the ${signer.usageName}'s key is ${signer.modulusBits} bits`);
  }
  let key;
  try {
    key = await signer.publicKey();
  } catch (error) {
    return keyFailure(error, signer.usageName);
  }
  try {
    const ok = await key.pssVerify(signee.signedBody(), reversed(signee.signature), signee.signatureHash);
    return ok ? { valid: true } : fail('badSignature', `${who}: the RSA-PSS (${signee.signatureHash}) signature does not verify`);
  } catch (error) {
    return verifyFailure(error, signer.usageName);
  }
}

/** The slot algorithm an AMD-format signer's signatures carry. */
function caSlotAlgorithm(signer: SevCaCertificate): number {
  return signer.modulusBits === 2048 ? SevAlgorithm.RsaSha256 : SevAlgorithm.RsaSha384;
}

/** Verifies one slot of a SEV-format signee with the signer's key. */
async function verifySlot(
  who: string,
  signerName: string,
  key: SevPublicKey,
  keyBytes: number,
  signee: SevCertificate,
  index: 0 | 1,
): Promise<SevVerifyResult> {
  const slot = signee.signatures[index];
  const name = `sig${index + 1}`;
  const hash = algorithmHash(slot.algorithm)!;
  const body = signee.signedBody();
  try {
    if (key.kind === 'rsa') {
      if (!isZero(slot.signature, keyBytes)) return fail('malformedSignature', `${who}: ${name} has non-zero bytes beyond a ${keyBytes * 8}-bit RSA signature`);
      const ok = await key.key.pssVerify(body, reversed(slot.signature.subarray(0, keyBytes)), hash);
      return ok ? { valid: true, slot: index } : fail('badSignature', `${who}: ${name} (${algorithmName(slot.algorithm)}) does not verify under the ${signerName}'s key`);
    }
    if (!isZero(slot.signature, keyBytes, 72) || !isZero(slot.signature, 72 + keyBytes, 144)) {
      return fail('malformedSignature', `${who}: ${name} has non-zero bytes beyond ${keyBytes}-byte r and s`);
    }
    const rs = new Uint8Array(2 * keyBytes);
    rs.set(reversed(slot.signature.subarray(0, keyBytes)), 0);
    rs.set(reversed(slot.signature.subarray(72, 72 + keyBytes)), keyBytes);
    const ok = await key.key.verify(body, rs, hash);
    return ok ? { valid: true, slot: index } : fail('badSignature', `${who}: ${name} (${algorithmName(slot.algorithm)}) does not verify under the ${signerName}'s key`);
  } catch (error) {
    return verifyFailure(error, signerName);
  }
}

/** Verifies a SEV-format signee against a signer of either kind. */
async function verifyPlatform(signer: SevAnyCertificate, signee: SevCertificate): Promise<SevVerifyResult> {
  const who = `${signer.usageName} → ${signee.usageName}`;
  const malformed = checkSlots(signee);
  if (malformed !== undefined && !malformed.valid) return fail(malformed.failure, `${who}: ${malformed.message}`);

  let usage: number;
  let algorithm: number;
  if (signer instanceof SevCaCertificate) {
    usage = signer.keyUsage;
    algorithm = caSlotAlgorithm(signer);
  } else {
    if (!isSignatureAlgorithm(signer.algorithm)) return fail('signerCannotSign', `${who}: the ${signer.usageName}'s key is ${algorithmName(signer.algorithm)}, which does not sign`);
    usage = signer.usage;
    algorithm = signer.algorithm;
  }
  const slots = ([0, 1] as const).filter((i) => signee.signatures[i].usage === usage);
  if (slots.length === 0) {
    const present = signee.signatures.map((s) => (isEmptySlot(s) ? 'empty' : `${usageName(s.usage)}/${algorithmName(s.algorithm)}`)).join(', ');
    return fail('noSignature', `${who}: the ${signee.usageName} has no signature slot with usage ${signer.usageName} (its slots: ${present})`);
  }

  let keyBytes: number;
  if (signer instanceof SevCaCertificate) {
    keyBytes = signer.modulusBits / 8;
  } else if (signer.key.kind === 'rsa') {
    keyBytes = signer.key.modulusBits / 8;
  } else {
    keyBytes = curveSize(signer.key.curve)!;
    if (signer.key.curve !== SevCurve.P384) return fail('unsupportedKey', `${who}: the ${signer.usageName}'s key is on ${curveName(signer.key.curve)}; @tsvmm/crypto verifies P-384 only`);
  }

  let first: SevVerifyResult | undefined;
  for (const index of slots) {
    const slot = signee.signatures[index];
    let result: SevVerifyResult;
    if (slot.algorithm !== algorithm) {
      result = fail('algorithmMismatch', `${who}: sig${index + 1} is ${algorithmName(slot.algorithm)}, the ${signer.usageName} signs with ${algorithmName(algorithm)}`);
    } else {
      let key: SevPublicKey;
      try {
        key = signer instanceof SevCaCertificate ? { kind: 'rsa', key: await signer.publicKey() } : await signer.publicKey();
      } catch (error) {
        return keyFailure(error, signer.usageName);
      }
      result = await verifySlot(who, signer.usageName, key, keyBytes, signee, index);
    }
    if (result.valid) return result;
    first ??= result;
  }
  return first!;
}

/**
 * Whether `signer` signed `signee`. Never rejects for a bad or malformed signature or key: the
 * result says why it does not verify. Rejects only for misuse (arguments that are not decoded
 * certificates) or an unexpected failure of the crypto backend.
 */
export async function verifySevSignature(signer: SevAnyCertificate, signee: SevAnyCertificate): Promise<SevVerifyResult> {
  if (!(signer instanceof SevCaCertificate || signer instanceof SevCertificate)) throw new TypeError('signer must be a SevCaCertificate or a SevCertificate');
  if (!(signee instanceof SevCaCertificate || signee instanceof SevCertificate)) throw new TypeError('signee must be a SevCaCertificate or a SevCertificate');
  if (signee instanceof SevCaCertificate) {
    if (signer instanceof SevCertificate) return fail('signerCannotSign', `${signer.usageName} → ${signee.usageName}: AMD-format certificates are signed by the ARK only`);
    return verifyCaByCa(signer, signee);
  }
  return verifyPlatform(signer, signee);
}
