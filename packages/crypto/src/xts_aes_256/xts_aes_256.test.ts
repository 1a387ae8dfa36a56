/**
 * Tests of `xts_aes_256` through the public API; backend-agnostic (run once per backend).
 *
 * - IEEE Std 1619-2007 annex B, XTS-AES-256 vectors 10-14 (key from the digits of e and pi, data
 *   unit sequence numbers ff, ffff, ffffff, ffffffff, ffffffffff, 512-byte data units), as literals;
 *   the same bytes are in the Linux kernel's `crypto/testmgr.h` (`aes_xts_tv_template`);
 * - openvmm's `xts_aes_256` known vector (the same key, tweak 0, 32 bytes);
 * - every Wycheproof `aes_xts_test.json` vector of the 512-bit-key group (XTS-AES-256), one data
 *   unit each (the data unit size is the message length, 16 to 136 bytes, so ciphertext stealing is
 *   covered). Wycheproof's `iv` is the tweak as a byte string of 1 to 16 bytes, zero-padded on the
 *   right to 16 (OpenSSL's convention); read as a little-endian integer it is exactly this API's
 *   tweak (openvmm's `u128::to_le_bytes`), so every vector maps and none is skipped. The 256- and
 *   384-bit groups (XTS-AES-128, and AES-192 halves) are not applicable.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { loadWycheproof, type WycheproofTest } from '../testing/wycheproof.ts';
import { XTS_AES_256_MAX_TWEAK, XtsAes256, XtsAes256Error } from './index.ts';

const IEEE_KEY = hex('2718281828459045235360287471352662497757247093699959574966967627' + '3141592653589793238462643383279502884197169399375105820974944592');
/** IEEE 1619 vectors 10-14 all encrypt 00 01 02 ... ff twice. */
const IEEE_PLAINTEXT = Uint8Array.from({ length: 512 }, (_, i) => i & 0xff);

const IEEE_1619 = [
  {
    vector: 10,
    tweak: 0xffn,
    ciphertext:
      '1c3b3a102f770386e4836c99e370cf9bea00803f5e482357a4ae12d414a3e63b5d31e276f8fe4a8d66b317f9ac683f44680a86ac35adfc3345befecb4bb188fd' +
      '5776926c49a3095eb108fd1098baec70aaa66999a72a82f27d848b21d4a741b0c5cd4d5fff9dac89aeba122961d03a757123e9870f8acf1000020887891429ca' +
      '2a3e7a7d7df7b10355165c8b9a6d0a7de8b062c4500dc4cd120c0f7418dae3d0b5781c34803fa75421c790dfe1de1834f280d7667b327f6c8cd7557e12ac3a0f' +
      '93ec05c52e0493ef31a12d3d9260f79a289d6a379bc70c50841473d1a8cc81ec583e9645e07b8d9670655ba5bbcfecc6dc3966380ad8fecb17b6ba02469a020a' +
      '84e18e8f84252070c13e9f1f289be54fbc481457778f616015e1327a02b140f1505eb309326d68378f8374595c849d84f4c333ec4423885143cb47bd71c5edae' +
      '9be69a2ffeceb1bec9de244fbe15992b11b77c040f12bd8f6a975a44a0f90c29a9abc3d4d893927284c58754cce294529f8614dcd2aba991925fedc4ae74ffac' +
      '6e333b93eb4aff0479da9a410e4450e0dd7ae4c6e2910900575da401fc07059f645e8b7e9bfdef33943054ff84011493c27b3429eaedb4ed5376441a77ed4385' +
      '1ad77f16f541dfd269d50d6a5f14fb0aab1cbb4c1550be97f7ab4066193c4caa773dad38014bd2092fa755c824bb5e54c4f36ffda9fcea70b9c6e693e148c151',
  },
  {
    vector: 11,
    tweak: 0xffffn,
    ciphertext:
      '77a31251618a15e6b92d1d66dffe7b50b50bad552305ba0217a610688eff7e11e1d0225438e093242d6db274fde801d4cae06f2092c728b2478559df58e837c2' +
      '469ee4a4fa794e4bbc7f39bc026e3cb72c33b0888f25b4acf56a2a9804f1ce6d3d6e1dc6ca181d4b546179d55544aa7760c40d06741539c7e3cd9d2f6650b201' +
      '3fd0eeb8c2b8e3d8d240ccae2d4c98320a7442e1c8d75a42d6e6cfa4c2eca1798d158c7aecdf82490f24bb9b38e108bcda12c3faf9a21141c3613b58367f922a' +
      'aa26cd22f23d708dae699ad7cb40a8ad0b6e2784973dcb605684c08b8d6998c69aac049921871ebb65301a4619ca80ecb485a31d744223ce8ddc2394828d6a80' +
      '470c092f5ba413c3378fa6054255c6f9df4495862bbb3287681f931b687c888abf844dfc8fc28331e579928cd12bd2390ae123cf03818d14dedde5c0c24c8ab0' +
      '18bfca75ca096f2d531f3d1619e785f1ada437cab92e980558b3dce1474afb75bfedbf8ff54cb2618e0244c9ac0d3c66fb51598cd2db11f9be39791abe447c63' +
      '094f7c453b7ff87cb5bb36b7c79efb0872d17058b83b15ab0866ad8a58656c5a7e20dbdf308b2461d97c0ec0024a2715055249cf3b478ddd4740de654f75ca68' +
      '6e0d7345c69ed50cdc2a8b332b1f8824108ac937eb050585608ee734097fc09054fbff89eeaeea791f4a7ab1f9868294a4f9e27b42af8100cb9d59cef9645803',
  },
  {
    vector: 12,
    tweak: 0xffffffn,
    ciphertext:
      'e387aaa58ba483afa7e8eb469778317ecf4cf573aa9d4eac23f2cdf914e4e200a8b490e42ee646802dc6ee2b471b278195d60918ececb44bf79966f83faba049' +
      '9298ebc699c0c8634715a320bb4f075d622e74c8c932004f25b41e361025b5a87815391f6108fc4afa6a05d9303c6ba68a128a55705d415985832fdeaae6c8e1' +
      '9110e84d1b1f199a2692119edc96132658f09da7c623efcec712537a3d94c0bf5d7e352ec94ae5797fdb377dc1551150721adf15bd26a8efc2fcaad56881fa9e' +
      '62462c28f30ae1ceaca93c345cf243b73f542e2074a705bd2643bb9f7cc79bb6e7091ea6e232df0f9ad0d6cf502327876d82207abf2115cdacf6d5a48f6c1879' +
      'a65b115f0f8b3cb3c59d15dd8c769bc014795a1837f3901b5845eb491adfefe097b1fa30a12fc1f65ba22905031539971a10f2f36c321bb51331cdefb39e3964' +
      'c7ef079994f5b69b2edd83a71ef549971ee93f44eac3938fcdd61d01fa71799da3a8091c4c48aa9ed263ff0749df95d44fef6a0bb578ec69456aa5408ae32c7a' +
      'f08ad7ba8921287e3bbee31b767be06a0e705c864a769137df28292283ea81a2480241b44d9921cdbec1bc28dc1fda114bd8e5217ac9d8ebafa720e9da4f9ace' +
      '231cc949e5b96fe76ffc21063fddc83a6b8679c00d35e09576a875305bed5f36ed242c8900dd1fa965bc950dfce09b132263a1eef52dd6888c309f5a7d712826',
  },
  {
    vector: 13,
    tweak: 0xffffffffn,
    ciphertext:
      'bf53d2dade78e822a4d949a9bc6766b01b06a8ef70d26748c6a7fc36d80ae4c5520f7c4ab0ac8544424fa405162fef5a6b7f229498063618d39f0003cb5fb8d1' +
      'c86b643497da1ff945c8d3bedeca4f479702a7a735f043ddb1d6aaade3c4a0ac7ca7f3fa5279bef56f82cd7a2f38672e824814e10700300a055e1630b8f1cb0e' +
      '919f5e942010a416e2bf48cb46993d3cb6a51c19bacf864785a00bc2ecff15d350875b246ed53e68be6f55bd7e05cfc2b2ed6432198a6444b6d8c247fab941f5' +
      '69768b5c429366f1d3f00f0345b96123d56204c01c63b22ce78baf116e525ed90fdea39fa469494d3866c31e05f295ff21fea8d4e6e13d67e47ce722e9698a1c' +
      '1048d68ebcde76b86fcf976eab8aa9790268b7068e017a8b9b749409514f1053027fd16c3786ea1bac5f15cb79711ee2abe82f5cf8b13ae73030ef5b9e4457e7' +
      '5d1304f988d62dd6fc4b94ed38ba831da4b7634971b6cd8ec325d9c61c00f1df73627ed3745a5e8489f3a95c69639c32cd6e1d537a85f75cc844726e8a72fc00' +
      '77ad22000f1d5078f6b866318c668f1ad03d5a5fced5219f2eabbd0aa5c0f460d183f04404a0d6f469558e81fab24a167905ab4c7878502ad3e38fdbe62a4155' +
      '6cec37325759533ce8f25f367c87bb5578d667ae93f9e2fd99bcbc5f2fbba88cf6516139420fcff3b7361d86322c4bd84c82f335abb152c4a93411373aaa8220',
  },
  {
    vector: 14,
    tweak: 0xffffffffffn,
    ciphertext:
      '64497e5a831e4a932c09be3e5393376daa599548b816031d224bbf50a818ed2350eae7e96087c8a0db51ad290bd00c1ac1620857635bf246c176ab463be30b80' +
      '8da548081ac847b158e1264be25bb0910bbc92647108089415d45fab1b3d2604e8a8eff1ae4020cfa39936b66827b23f371b92200be90251e6d73c5f86de5fd4' +
      'a950781933d79a28272b782a2ec313efdfcc0628f43d744c2dc2ff3dcb66999b50c7ca895b0c64791eeaa5f29499fb1c026f84ce5b5c72ba1083cddb5ce45434' +
      '631665c333b60b11593fb253c5179a2c8db813782a004856a1653011e93fb6d876c18366dd8683f53412c0c180f9c848592d593f8609ca736317d356e13e2bff' +
      '3a9f59cd9aeb19cd482593d8c46128bb32423b37a9adfb482b99453fbe25a41bf6feb4aa0bef5ed24bf73c762978025482c13115e4015aac992e5613a3b5c2f6' +
      '85b84795cb6e9b2656d8c88157e52c42f978d8634c43d06fea928f2822e465aa6576e9bf419384506cc3ce3c54ac1a6f67dc66f3b30191e698380bc999b05abc' +
      'e19dc0c6dcc2dd001ec535ba18deb2df1a101023108318c75dc98611a09dc48a0acdec676fabdf222f07e026f059b672b56e5cbc8e1d21bbd867dd9272120546' +
      '81d70ea737134cdfce93b6f82ae22423274e58a0821cc5502e2d0ab4585e94de6975be5e0b4efce51cd3e70c25a1fbbbd609d273ad5b0d59631c531f6a0a57b9',
  },
];

async function xtsError(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(XtsAes256Error);
  expect((error as Error).message).toBe('XTS-AES-256 operation failed');
  return error as Error;
}

describe('IEEE Std 1619-2007 XTS-AES-256 vectors 10-14 (512-byte data units)', () => {
  const xts = new XtsAes256(IEEE_KEY, 512);

  test.each(IEEE_1619)('vector $vector (tweak $tweak)', async ({ tweak, ciphertext }) => {
    const out = await xts.encrypt(tweak, IEEE_PLAINTEXT);
    expect(out.constructor).toBe(Uint8Array);
    expect(toHex(out)).toBe(ciphertext);
    expect(toHex(await xts.decrypt(tweak, hex(ciphertext)))).toBe(toHex(IEEE_PLAINTEXT));
  });

  test('a number tweak equals the same bigint tweak', async () => {
    expect(toHex(await xts.encrypt(0xffffffffff, IEEE_PLAINTEXT))).toBe(IEEE_1619[4]!.ciphertext);
  });

  test('several data units at once use consecutive tweaks (vectors 10 and 11 are not consecutive; 0xff and 0x100 are)', async () => {
    const two = new Uint8Array(1024);
    two.set(IEEE_PLAINTEXT);
    two.set(IEEE_PLAINTEXT, 512);
    const together = await xts.encrypt(0xffn, two);
    expect(toHex(together.subarray(0, 512))).toBe(IEEE_1619[0]!.ciphertext);
    expect(toHex(together.subarray(512))).toBe(toHex(await xts.encrypt(0x100n, IEEE_PLAINTEXT)));
    expect(toHex(await xts.decrypt(0xffn, together))).toBe(toHex(two));
  });
});

describe('openvmm xts_aes_256 known vector', () => {
  test('tweak 0, 32 bytes; tweak 1 differs', async () => {
    const plaintext = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
    const xts = new XtsAes256(IEEE_KEY, 32);
    const ciphertext = await xts.encrypt(0n, plaintext);
    expect(toHex(ciphertext)).toBe('3a060a8cad115a6f44572e3759e43c8fcad8bfcb233ff6ad71b7c1e7ca651508');
    expect(toHex(await xts.decrypt(0n, ciphertext))).toBe(toHex(plaintext));
    expect(toHex(await xts.encrypt(1n, plaintext))).not.toBe(toHex(ciphertext));
  });
});

interface IndCpaTest extends WycheproofTest {
  key: string;
  iv: string;
  msg: string;
  ct: string;
}

/** Wycheproof's tweak bytes (zero-padded on the right to 16) as a little-endian integer. */
function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

describe('Wycheproof aes_xts_test.json', () => {
  const file = loadWycheproof<IndCpaTest>('aes_xts_test.json', 'AES-XTS');
  const tally = new VectorTally('aes_xts_test.json');
  const rows = file.testGroups.flatMap((group) => group.tests.map((vector) => ({ ...vector, keySize: group.keySize as number, ivSize: group.ivSize as number })));

  test.each(rows)('tcId $tcId (key $keySize, tweak $ivSize bits): $comment', async (vector) => {
    if (vector.keySize !== 512) return tally.record(vector.tcId, 'not applicable', 'XTS-AES-128 and 192-bit halves');
    if (vector.result !== 'valid') throw new Error(`tcId ${vector.tcId} is "${vector.result}": decide how XTS-AES-256 treats it`);
    const [key, iv, msg] = [vector.key, vector.iv, vector.msg].map(hex) as Uint8Array[];
    expect(iv!.length * 8).toBe(vector.ivSize);
    const xts = new XtsAes256(key!, msg!.length);
    const tweak = littleEndian(iv!);
    expect(toHex(await xts.encrypt(tweak, msg!))).toBe(vector.ct);
    expect(toHex(await xts.decrypt(tweak, hex(vector.ct)))).toBe(vector.msg);
    tally.record(vector.tcId, 'valid passed');
  });

  test('every vector is counted, and all 41 XTS-AES-256 ones ran', () => {
    expect(rows.length).toBe(file.numberOfTests);
    tally.check(123, { 'valid passed': 41, 'not applicable': 82 });
  });
});

describe('sizes and tweaks', () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => i);

  test.each([16, 17, 31, 32, 33, 512, 4096, 4097])('a data unit of %i bytes round-trips, and one changed byte changes its block', async (size) => {
    const xts = new XtsAes256(key, size);
    const data = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
    const ciphertext = await xts.encrypt(12345n, data);
    expect(ciphertext.length).toBe(size);
    expect(toHex(await xts.decrypt(12345n, ciphertext))).toBe(toHex(data));
  });

  test('data that is an unaligned view into a larger buffer is read exactly', async () => {
    const xts = new XtsAes256(key, 33);
    const data = Uint8Array.from({ length: 66 }, (_, i) => i);
    const backing = new Uint8Array(100).fill(0xee);
    backing.set(data, 3);
    const view = backing.subarray(3, 69);
    const ciphertext = await xts.encrypt(7n, view);
    expect(toHex(ciphertext)).toBe(toHex(await xts.encrypt(7n, data)));
    backing.set(ciphertext, 3);
    expect(toHex(await xts.decrypt(7n, view))).toBe(toHex(data));
  });

  test('the largest tweak works; the units after it would overflow', async () => {
    const xts = new XtsAes256(key, 16);
    const ciphertext = await xts.encrypt(XTS_AES_256_MAX_TWEAK, new Uint8Array(16));
    expect(toHex(await xts.decrypt(XTS_AES_256_MAX_TWEAK, ciphertext))).toBe('00'.repeat(16));
    expect((await xtsError(xts.encrypt(XTS_AES_256_MAX_TWEAK, new Uint8Array(32)))).cause).toBeInstanceOf(RangeError);
  });
});

describe('errors', () => {
  const key = Uint8Array.from({ length: 64 }, (_, i) => i);
  const xts = new XtsAes256(key, 32);

  test.each([0, 32, 48, 63, 65])('a %i-byte key is refused', (length) => {
    expect(() => new XtsAes256(new Uint8Array(length), 512)).toThrow(XtsAes256Error);
  });

  test('a key whose two halves are equal is refused (NIST SP 800-38E)', () => {
    const halves = new Uint8Array(64);
    halves.set(key.subarray(0, 32));
    halves.set(key.subarray(0, 32), 32);
    expect(() => new XtsAes256(halves, 512)).toThrow(XtsAes256Error);
  });

  test.each([0, 15, 1.5, 16 * 2 ** 20 + 1, Number.NaN])('a data unit size of %s is refused', (size) => {
    expect(() => new XtsAes256(key, size)).toThrow(XtsAes256Error);
  });

  test.each([0, 16, 31, 33, 48])('%i bytes of data (not whole 32-byte data units) are refused (RangeError)', async (length) => {
    expect((await xtsError(xts.encrypt(0n, new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
    expect((await xtsError(xts.decrypt(0n, new Uint8Array(length)))).cause).toBeInstanceOf(RangeError);
  });

  test.each([-1n, 1n << 128n, -1, 1.5, 2 ** 53, Number.NaN])('tweak %s is refused (RangeError)', async (tweak) => {
    expect((await xtsError(xts.encrypt(tweak, new Uint8Array(32)))).cause).toBeInstanceOf(RangeError);
  });

  test('a tweak or data of the wrong type is refused (TypeError)', async () => {
    expect((await xtsError(xts.encrypt('1' as unknown as bigint, new Uint8Array(32)))).cause).toBeInstanceOf(TypeError);
    expect((await xtsError(xts.encrypt(1n, 'data' as unknown as Uint8Array))).cause).toBeInstanceOf(TypeError);
  });
});
