/**
 * Known answers for SHA-1, SHA-256, SHA-384 and SHA-512, shared by the `hashes`, `sha_256` and
 * `sha_384` tests. Written out as literals from the standards:
 * FIPS 180-2 appendices A-D and RFC 6234 section 8.5 (TEST1: "abc"; TEST2_1: the 448-bit message;
 * TEST2_2: the 896-bit message; TEST3: one million "a"; TEST4: "01234567" x 80), plus the empty
 * message.
 */
import type { HashAlgorithm } from '../hashes/algorithm.ts';
import { utf8 } from './hex.ts';

export interface HashVector {
  name: string;
  message: () => Uint8Array;
  digests: Partial<Record<HashAlgorithm, string>>;
}

const TEST2_1 = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const TEST2_2 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';

export const HASH_VECTORS: HashVector[] = [
  {
    name: 'empty message',
    message: () => new Uint8Array(0),
    digests: {
      'SHA-1': 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      'SHA-256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'SHA-384': '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
      'SHA-512': 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    },
  },
  {
    name: 'TEST1 "abc"',
    message: () => utf8('abc'),
    digests: {
      'SHA-1': 'a9993e364706816aba3e25717850c26c9cd0d89d',
      'SHA-256': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      'SHA-384': 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
      'SHA-512': 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    },
  },
  {
    name: 'TEST2_1 (448 bits)',
    message: () => utf8(TEST2_1),
    digests: {
      'SHA-1': '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
      'SHA-256': '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    },
  },
  {
    name: 'TEST2_2 (896 bits)',
    message: () => utf8(TEST2_2),
    digests: {
      'SHA-384': '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039',
      'SHA-512': '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    },
  },
  {
    name: 'TEST3 (one million "a")',
    message: () => new Uint8Array(1_000_000).fill(0x61),
    digests: {
      'SHA-1': '34aa973cd4c4daa4f61eeb2bdbad27316534016f',
      'SHA-256': 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
      'SHA-384': '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985',
      'SHA-512': 'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    },
  },
  {
    name: 'TEST4 ("01234567" x 80)',
    message: () => utf8('01234567'.repeat(80)),
    digests: {
      'SHA-1': 'dea356a2cddd90c7a7ecedc5ebb563934f460452',
      'SHA-256': '594847328451bdfa85056225462cc1d867d877fb388df0ce35f25ab5562bfbb5',
      'SHA-384': '2fc64a4f500ddb6828f6a3430b8dd72a368eb7f3a8322a70bc84275b9c0b3ab00d27a5cc3c2d224aa6b61a0d79fb4596',
      'SHA-512': '89d05ba632c699c31231ded4ffc127d5a894dad412c0e024db872d1abd2ba8141a0f85072a9be1e2aa04cf33c765cb510813a39cd5a84c4acaa64d3f3fb7bae9',
    },
  },
];

/** The vectors of one algorithm, as `[name, message, digest]` rows. */
export function vectorsOf(algorithm: HashAlgorithm): [string, () => Uint8Array, string][] {
  return HASH_VECTORS.flatMap((v) => (v.digests[algorithm] === undefined ? [] : [[v.name, v.message, v.digests[algorithm]] as [string, () => Uint8Array, string]]));
}
