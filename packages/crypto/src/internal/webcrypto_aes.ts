/**
 * Raw AES from WebCrypto, for the `native` backend files only: unpadded CBC, and single-block and
 * bulk ECB, none of which WebCrypto offers. Everything is built from `AES-CBC`, whose encryption
 * always appends PKCS#7 padding and whose decryption always checks and strips it:
 *
 * - **ECB encryption of one block X** is `AES-CBC` encryption of the *empty* message with IV
 *   `X xor P`, where P is the full padding block (16 bytes of 0x10): the only block CBC encrypts is
 *   `P xor IV = X`, so the 16-byte output is AES(K, X). One WebCrypto call per block. WebCrypto has
 *   no way to encrypt several independent blocks in one call (CBC encryption chains, CTR encrypts
 *   counters), so {@link aesEncryptBlocks} issues one call per block, concurrently.
 * - **Unpadded CBC encryption** is padded CBC encryption with the final (pure padding) block
 *   dropped: the blocks before it do not depend on it.
 * - **Unpadded CBC decryption** of C_1..C_n appends one crafted block C' = AES(K, C_n xor P),
 *   obtained as above with IV `C_n` (one call). CBC decryption of C' gives
 *   AES^-1(K, C') xor C_n = P, a valid full padding block, which WebCrypto checks and strips, so the
 *   output is exactly P_1..P_n (a second call). Two calls, whatever the length.
 * - **ECB decryption of blocks Y_1..Y_n** is unpadded CBC decryption with a zero IV (two calls):
 *   block j comes out as AES^-1(K, Y_j) xor Y_{j-1} (Y_0 = 0), and XOR-ing Y_{j-1} back leaves
 *   AES^-1(K, Y_j).
 *
 * The key is imported once per context as a non-extractable `AES-CBC` key.
 */
import type { OwnedBytes } from '../backend/backend.ts';
import { arrayBufferBacked } from './bytes.ts';
import { subtle } from './webcrypto.ts';
import { xorInto } from './xts.ts';

const BLOCK = 16;
const PADDING_BLOCK = new Uint8Array(BLOCK).fill(BLOCK);
const EMPTY = new Uint8Array(0);
const ZERO_IV = new Uint8Array(BLOCK);
/** Concurrent single-block calls in flight at most, so a large data unit does not flood the queue. */
const MAX_CONCURRENT_BLOCKS = 1024;

/** Imports a raw AES key (16, 24 or 32 bytes) for the helpers below. */
export function importAesCbcKey(raw: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', arrayBufferBacked(raw), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']);
}

/** AES(K, X) for one 16-byte block `x` (ECB), via CBC encryption of the empty message. */
export async function aesEncryptBlock(key: CryptoKey, x: Uint8Array): Promise<OwnedBytes> {
  const iv = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) iv[i] = x[i]! ^ PADDING_BLOCK[i]!;
  return new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv }, key, EMPTY));
}

/** AES(K, X_j) for every block of `blocks` (ECB): one WebCrypto call per block, run concurrently. */
export async function aesEncryptBlocks(key: CryptoKey, blocks: Uint8Array): Promise<OwnedBytes> {
  const out = new Uint8Array(blocks.length);
  for (let start = 0; start < blocks.length; start += MAX_CONCURRENT_BLOCKS * BLOCK) {
    const end = Math.min(blocks.length, start + MAX_CONCURRENT_BLOCKS * BLOCK);
    const pending: Promise<void>[] = [];
    for (let offset = start; offset < end; offset += BLOCK) {
      pending.push(aesEncryptBlock(key, blocks.subarray(offset, offset + BLOCK)).then((block) => out.set(block, offset)));
    }
    await Promise.all(pending);
  }
  return out;
}

/** Unpadded AES-CBC encryption (`data.length` a multiple of 16): padded CBC minus its padding block. */
export async function cbcEncryptNoPadding(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
  const padded = await subtle().encrypt({ name: 'AES-CBC', iv: arrayBufferBacked(iv) }, key, arrayBufferBacked(data));
  return new Uint8Array(padded.slice(0, data.length));
}

/** Unpadded AES-CBC decryption (`data.length` a multiple of 16), with a crafted padding block. */
export async function cbcDecryptNoPadding(key: CryptoKey, iv: Uint8Array, data: Uint8Array): Promise<OwnedBytes> {
  if (data.length === 0) return new Uint8Array(0);
  const lastBlock = data.subarray(data.length - BLOCK);
  // C' = AES(K, C_n xor P): CBC encryption of the empty message with IV C_n.
  const crafted = new Uint8Array(await subtle().encrypt({ name: 'AES-CBC', iv: new Uint8Array(lastBlock) }, key, EMPTY));
  const extended = new Uint8Array(data.length + BLOCK);
  extended.set(data);
  extended.set(crafted, data.length);
  return new Uint8Array(await subtle().decrypt({ name: 'AES-CBC', iv: arrayBufferBacked(iv) }, key, extended));
}

/** AES^-1(K, Y_j) for every block of `blocks` (ECB): two WebCrypto calls, whatever the length. */
export async function aesDecryptBlocks(key: CryptoKey, blocks: Uint8Array): Promise<OwnedBytes> {
  const out = await cbcDecryptNoPadding(key, ZERO_IV, blocks);
  const rest = out.subarray(BLOCK);
  xorInto(rest, rest, blocks);
  return out;
}
