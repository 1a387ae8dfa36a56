/**
 * Benchmark rows for the public-key modules, merged into `crypto.bench.ts`'s {@link CASES}:
 * verifications per second of ECDSA P-384 (SHA-384, over a 672-byte message: the signed body of an
 * SEV-SNP attestation report) and RSA-4096 PSS (SHA-384, MGF1-SHA-384, salt 48: how AMD's ASK signs
 * a VCEK certificate, over a 1 KiB message). "ours" is `EcdsaPublicKey.verify` / `RsaPublicKey.pssVerify`;
 * "direct" is the same verification on the library with the key already imported.
 */
import { constants, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { p384 } from '@noble/curves/nist.js';
import { sha384 } from '@noble/hashes/sha2.js';
import { PSS, mgf1 } from 'micro-rsa-dsa-dh/rsa.js';
import type { BenchCase } from './crypto.bench.ts';

const random = (length: number) => crypto.getRandomValues(new Uint8Array(length));
const subtle = () => globalThis.crypto.subtle;
const b64 = (text: string | undefined) => new Uint8Array(Buffer.from(text ?? '', 'base64url'));
const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);

const REPORT_BODY = random(0x2a0);
const TBS = random(1024);

/** One RSA-4096 key for all backends (made once per process, outside the timing). */
let rsa: ReturnType<typeof makeRsa> | undefined;
const rsaKey = () => (rsa ??= makeRsa());
function makeRsa() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096, publicExponent: 65537 });
  const jwk = publicKey.export({ format: 'jwk' });
  const signature = new Uint8Array(sign('sha384', TBS, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }));
  return { publicKey, jwk, n: b64(jwk.n), e: b64(jwk.e), signature };
}

export const ASYMMETRIC_CASES: BenchCase[] = [
  {
    name: 'ECDSA P-384 verify (SHA-384, 672 B)',
    async setup(api, backend) {
      const pair = await api.EcdsaKeyPair.generate(api.EcdsaCurve.P384);
      const signature = await pair.sign(REPORT_BODY, api.HashAlgorithm.Sha384);
      const ours = await api.EcdsaPublicKey.fromPublicKeyBytes(api.EcdsaCurve.P384, pair.publicKeyBytes());
      const point = pair.uncompressedPoint();
      const oursOp = () => ours.verify(REPORT_BODY, signature, api.HashAlgorithm.Sha384);
      switch (backend) {
        case 'openssl': {
          const key = createPublicKey({ key: Buffer.from(pair.publicKeyDer()), format: 'der', type: 'spki' });
          return { ours: oursOp, directLabel: "node:crypto verify('sha384', ieee-p1363)", direct: () => verify('sha384', REPORT_BODY, { key, dsaEncoding: 'ieee-p1363' }, signature) };
        }
        case 'noble':
          return { ours: oursOp, directLabel: '@noble/curves p384.verify (hashes with sha384)', direct: () => p384.verify(signature, REPORT_BODY, point, { lowS: false }) };
        case 'native': {
          const key = await subtle().importKey('raw', point, { name: 'ECDSA', namedCurve: 'P-384' }, false, ['verify']);
          return { ours: oursOp, directLabel: "crypto.subtle.verify(ECDSA, 'SHA-384')", direct: () => subtle().verify({ name: 'ECDSA', hash: 'SHA-384' }, key, signature, REPORT_BODY) };
        }
      }
    },
  },
  {
    name: 'RSA-4096 PSS verify (SHA-384, salt 48, 1 KiB)',
    async setup(api, backend) {
      const RSA = rsaKey();
      const ours = await api.RsaPublicKey.fromComponents(RSA.n, RSA.e);
      const oursOp = () => ours.pssVerify(TBS, RSA.signature, api.HashAlgorithm.Sha384, { saltLength: 48 });
      switch (backend) {
        case 'openssl':
          return { ours: oursOp, directLabel: "node:crypto verify('sha384', PSS, saltLength 48)", direct: () => verify('sha384', TBS, { key: RSA.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 }, RSA.signature) };
        case 'noble': {
          const key = { n: big(RSA.n), e: big(RSA.e) };
          const pss = PSS(sha384, mgf1(sha384), 48);
          return { ours: oursOp, directLabel: 'micro-rsa-dsa-dh PSS(sha384, mgf1(sha384), 48).verify', direct: () => pss.verify(key, TBS, RSA.signature) };
        }
        case 'native': {
          const key = await subtle().importKey('jwk', { kty: 'RSA', n: RSA.jwk.n, e: RSA.jwk.e }, { name: 'RSA-PSS', hash: 'SHA-384' }, false, ['verify']);
          return { ours: oursOp, directLabel: 'crypto.subtle.verify(RSA-PSS, saltLength 48)', direct: () => subtle().verify({ name: 'RSA-PSS', saltLength: 48 }, key, RSA.signature, TBS) };
        }
      }
    },
  },
];
