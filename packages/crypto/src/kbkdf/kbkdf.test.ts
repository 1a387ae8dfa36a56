/**
 * Tests of `kbkdf` through the public API; backend-agnostic (run once per backend).
 *
 * - NIST CAVP "SP800-108 - KDF" counter-mode vectors (CAVS 14.4, KDFCTR_gen.txt), section
 *   [PRF=HMAC_SHA256] [CTRLOCATION=BEFORE_FIXED] [RLEN=32_BITS], all 40 (COUNT 0-39), as literals.
 *   CAVP gives the fixed input data as an opaque 60-byte string after the 32-bit counter, so they
 *   run with `{ separator: false, encodeLength: false }`, the fixed input as the label and an empty
 *   context: K(i) = HMAC(KI, [i]_32 || FixedInputData). L is 128, 256, 160 and 320 bits (one block,
 *   exactly one block, a truncated block, and two blocks with the second truncated);
 * - openvmm's two `kdf` known vectors (key 0^32, label "VMGSKEY"), which pin the default encoding
 *   [i]_32 || Label || 0x00 || Context || [L]_32 (OpenSSL's KBKDF, which produced them);
 * - that the default encoding is exactly that byte string, checked through the opaque form.
 */
import { describe, expect, test } from 'vitest';
import { hex, toHex, utf8 } from '../testing/hex.ts';
import { VectorTally } from '../testing/vector_tally.ts';
import { KBKDF_MAX_OUTPUT_LENGTH, KbkdfError, kbkdfHmacSha256 } from './index.ts';

const OPAQUE = { separator: false, encodeLength: false };
const EMPTY = new Uint8Array(0);

/** KDFCTR_gen.txt, [PRF=HMAC_SHA256] [CTRLOCATION=BEFORE_FIXED] [RLEN=32_BITS]; `l` in bits. */
const CAVP = [
  { count: 0, l: 128, ki: 'dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0', fixedInput: '01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b864a145fab25e517b08f8683d0315bb2911d80a0e8aba17f3b413faac', ko: '10621342bfb0fd40046c0e29f2cfdbf0' },
  { count: 1, l: 128, ki: '32c4003872a146194023eac1bda74ddf2b66977dad8a554b974ca2a62f7e4f43', fixedInput: '33d8cf6d0c759fb622d867ea8cf1285de4020af81cc287addf38cc2da4643e6db3b215ad3e33bfc47877c3620e336887c3c9ad4a1c6c0476b0f90a33', ko: 'f593af0e1a492a7b904a2662897fa1c1' },
  { count: 2, l: 128, ki: '3c87e9cc98579b2749ff92c8b823a2ad6b367ac26622e7b5b80a2ce6f450e361', fixedInput: '777d66a24c2d3cc3299ca0718f4f6dcd1161ecbef6eb3c71f0bc145b4e765a6eece807a74ca7a698d55b2eb0d30d8d3e5cd71fd2a02b5608274c95c3', ko: 'ea6425f03803f2f06c42d8ba11ce4ee9' },
  { count: 3, l: 128, ki: 'de1f4abfe78c4dd6f02331c057efa939ae2db1f1e7e7c650e07537d259b1ea72', fixedInput: '4c1f00198d76f3630d3260f56d94f52507394f4a98cdc2937d4abaa76ebb3fd409a8769df074dc002917ef818a4852cf004f0225efc4663211a08c5d', ko: '74182ae81ee88c6a1634ff4991beb9ee' },
  { count: 4, l: 128, ki: '8c299beeaea05f445d59f5c354dbd0c8b4cd009f197a35369fb3b8612b75026b', fixedInput: '1a73fce114cb427dfaa6a699ab2751bf7136fa03d238da492d9a036143148334294d0bdbe4852c8ff37706bb27d722ddf909bc8bef91ac72e1841cad', ko: '16614f3e848515cbe526fd2b1b5a0bc3' },
  { count: 5, l: 128, ki: 'fa1f4c6ca4268480527b37cc1635b69d4a07118f720c60bd13cedc867dfc2754', fixedInput: '464516d6f8bb6589928849b984bea6dc3a45a3e3cbe9b27a95e94801c718901764d78910e72e5fe69860e76e8f2bbba9298676e8a86b3d63563b45a2', ko: '67507b8fbc813d2387f69bc4d3bda44a' },
  { count: 6, l: 128, ki: 'ab12ca4709ca38350caf5602eee5218ec950353d19e65de9efc4dc2d19fe3017', fixedInput: 'a8da5b25e4f292c149c88f9203c5370822193cdac135fbcd6b03f42300b8c372f68520dd3b525c79aa25f250b786e6de7f5d73b5fb46c987671c7f76', ko: 'a7f44187d4ebe759b9a37e484a844e2b' },
  { count: 7, l: 128, ki: '12a9c4b3921b4ec2754e1cf093a38a98702acf0b8eb30f4bf654b8e3a10d3990', fixedInput: 'c5170e6e67ccefebe8415ee2fb6429df37d6c2ee8fbdd6b970c3a98d486e8718c2202f7fc09fe438d53dfdaeeb0874ef0fd7b4dfa209cc9c5c512baa', ko: '9d1a3121760b17ea787e0f64c90bf109' },
  { count: 8, l: 128, ki: '218b0f76980954cc381f2646636907e702078f7902a1894952966547ace91b19', fixedInput: '16cb8bedb363b4795153a105c6049291f1978e7b2aab01ab64e29c9bb562418cf3ab4f1ee6111d5ed2e58ebe3ad9665588e0e4d9deae8524b5b79ed8', ko: '80175fd5c9ca252c52bdcb5302de3db1' },
  { count: 9, l: 128, ki: '3433f2c53824d6eebe11e11eb656da9740c5a342f5769df7fe17c4c4801132ca', fixedInput: '07e3f8ff03e6af5aad503cacb1db119d3178bbd3e2377888d6f5e6b7bf7b8f7c563a88aa8a778848f4dc01b29caf85a3b2307e3cdfe3de1e7043ddef', ko: 'ae81916cd3641c59897512649b657252' },
  { count: 10, l: 256, ki: 'e204d6d466aad507ffaf6d6dab0a5b26152c9e21e764370464e360c8fbc765c6', fixedInput: '7b03b98d9f94b899e591f3ef264b71b193fba7043c7e953cde23bc5384bc1a6293580115fae3495fd845dadbd02bd6455cf48d0f62b33e62364a3a80', ko: '770dfab6a6a4a4bee0257ff335213f78d8287b4fd537d5c1fffa956910e7c779' },
  { count: 11, l: 256, ki: 'aeeeca60f689a441b13b0cbcd441d82df0cf87dac236290dece8931df8d70317', fixedInput: '588ec041e5733b7031212c5538efe4f6aafa4cda8b925d261f5a2688f007b3ac240ee12991e77b8cb8538678615966164a81872bd1cfcbfb39a4f450', ko: '3e81d6113cee3c529ecedff89a6999ce25b618c15ee1d19d45cb376a1c8e2374' },
  { count: 12, l: 256, ki: '95c8f76e11367eb55526a2b393ae906583d1cbdd47962146f506cc7cac12f464', fixedInput: 'cad60e904b9e9c8bfeb4a81a7f67d3bddcc05e64255870403770f3533ae6dd634ceaa56c53e688bd137ae6018935f34b9fb084ea48e4c688f6bbb388', ko: 'cafa5ca03f5fbe2a242004abcbd3de1059c7407b1ee579255124af189be0b556' },
  { count: 13, l: 256, ki: '4d05391fd6fb1e292e78ab9619b1b72a7d63ee59d7435dd71897b9ff7ee7ae70', fixedInput: 'f078e6f9b7f82d64554fa6b604c808f19b1f6ad6727db7aa6f1c86694e104b5256c8b4039919646481d7ea2452c72c17a3e8d7d3916285460aa5eb81', ko: '6b16e8f53b831aa5e86bf97a5c4fa37d089bc172da5a1e7f662dd4a595339ab7' },
  { count: 14, l: 256, ki: '0f68a82ff1671634cc9136c564a9e02a767621dd74a1bf5c24129b808214b752', fixedInput: '648599809c2c4e7c6a5e6c449f0031ebf55c3661a895b44db0572ee88083b1f4b12602aa55fc1df150a65a6d6eeda0aa79a434a1039b91b5a58fc7f1', ko: 'e297640f7768485d4a6e7cfe245f8bfa84700d99762692ea1a425ccc0275e8f5' },
  { count: 15, l: 256, ki: '43eef6d824fd820405626ab9b6d79f1fd04e126ab8e17729e3afc7cb5af794f8', fixedInput: '5e269b5a7bdedcc3e875e2725693a257fc60011af7dcd68a3358507fe29b0659ca66951daa05a15032033650bc58a27840f8fbe9f4088b9030738f68', ko: 'f0a339ecbcae6add1afb27da3ba40a1320c6427a58afb9dc366b219b7eb29ecf' },
  { count: 16, l: 256, ki: 'e5f31d98a13f2390b354dba08e1e85116f99a56c2e8761d386958a0d0a888a29', fixedInput: '02113f45151b63f374cfcdb1bede41cef2226a42b6c02c9f090f9f3db39d4e98a8258c42e27224279cd45c2501ca45a008d8f38915e5b45b8b995f5b', ko: '98e7a023092a3064050902c8b90c749d72005626e0296e1dfb28c10e450b2dd3' },
  { count: 17, l: 256, ki: 'e6cfa4864d31fe09960fff968ac62f03b6f63b5a221cc95c3a1058b4b60fe9bc', fixedInput: '4670a7c2c8f5643b75ea4ceed87e253e58ffaa87472299160d35240753f3164c0820374b1f4bedb2dc34692c8b7e06c7951ee73f1645b10e3f272d17', ko: '4f208e7306b076bf06133f439a6617a3d650253cf87775c3d6d7fede32139f4f' },
  { count: 18, l: 256, ki: '2f180b1a10445d3d29683b3facb856807689c6de54c760f6050c3329a4a1de4e', fixedInput: '4d48ca49a279a79bf9b3a9e346c3af74926fab6ad881027dee6a6f40dcf67add04efec4d86df31bbfc190d43e3a7aeea9babcebaead3b07b69dd3d6e', ko: '7765d245fdf143b6ca4359a2503ad1d8ea8caa7da8d556b1fe8e25c44c70dbe1' },
  { count: 19, l: 256, ki: '2eb0a49fd3199a57264f746b1c8acbc76f7ce51223f72134590fbbeb3176264b', fixedInput: '980a908ed38b6e699df3f44e651f0ad3a9d209d3867c495e52673855d09e4f1a58fb477067c400cacca9ab9260e205c4556905f2727925561280639c', ko: '06d5adc2d5c517bf40406cc6bb56553b222f70abf2bb505584000e88628baf17' },
  { count: 20, l: 160, ki: 'dc60338d884eecb72975c603c27b360605011756c697c4fc388f5176ef81efb1', fixedInput: '44d7aa08feba26093c14979c122c2437c3117b63b78841cd10a4bc5ed55c56586ad8986d55307dca1d198edcffbc516a8fbe6152aa428cdd800c062d', ko: '29ac07dccf1f28d506cd623e6e3fc2fa255bd60b' },
  { count: 21, l: 160, ki: '7a7ecee4f04c1f5453f29b8c65bee909f673c44f65e8f9cc18c31c32e9bcfc5a', fixedInput: '0e2b53dd63008e0663962a25da9cd55fc2ea377148783da229ff7e3bd6142a43c854b6b5d06d87b535936f1edc7cd067e8dbba220a1f9a5932b32a64', ko: '96fb8ef9380ac9de2711ef5a83249e608dc7bffc' },
  { count: 22, l: 160, ki: 'de71295dc50ac76eb5579410869e918b7be757afa606c509be4378bd98eda686', fixedInput: '33ca974f8a1a065b75090c34c948449910495611e28ecc62ced29e5b3ae76217e139267041ba40be235de130438c1b14aa833296eb8e4babe2101010', ko: '385d60538090a45a2b2544275905c4c16e9f23e2' },
  { count: 23, l: 160, ki: '389de0b914661c8ac9aaf11d261f6261baf4652886cf20d2b13df67be2e3b185', fixedInput: '92b3d47ea042591db5b531907e09a45a60a9c5c5fe0251806b7805b641c5b3ebcde14d6cb542b4cb242b04f5a9b60b2c66d1a24c66141fe0b818e93c', ko: 'b12a4e200180d20da404b44c952639a955dd83d0' },
  { count: 24, l: 160, ki: '311af73874e13a8acad981490113934065b3bd5d448e2bb8dfa68b70c69d7d45', fixedInput: 'ea20fc9d32cddc78dcbca2ead6c5c66744da85d95b643d3ffab2d0e2d5677dd3a27313153b019cfcd33b3e305ed66404042b2db0e3de2267cb557fd8', ko: 'c6e86d1043333fb690ad23274a908204d6bcbbac' },
  { count: 25, l: 160, ki: '756f9980cbefea398350b886ca4c1b2910708b5b8154a0ec4b9648ac77b9d7dc', fixedInput: '3f09aa15d2fa769c6e8a3380bc55844827ba3ea64ccf177beb4bfbd5142b3963bf696803a89974aa7d5af0192cd525a83b71cd8ee7b0bc92f07b9515', ko: 'e3bc62b38a7b3c7e7fcb9ef007aa4ad6a9bb519c' },
  { count: 26, l: 160, ki: 'ae815bfe220407bce6638f20aefa109b63c7382e91d7bb8b010ed7c6d8d3757d', fixedInput: 'a221f1a3623eca5f6385b57e7afe67d134011c6058e3977df977bdf0c7ab0e14b6d5c059f39948982912b047d00103dc4836e59b7a470222dbae72ca', ko: 'ed5e876d76227d0a7f1acf5ca08c812995303fb2' },
  { count: 27, l: 160, ki: 'd5110c808a951c5fe36aa4852fbde7e0bc372a2c69a35acfc890cc9ff78e40fb', fixedInput: 'f45187072a7d78fe91282f5825daeb256a28a818c70a285262b080cd3ee2ec785125b27e4026ac9688a5eae657db578cd207956249f04a064870d677', ko: '0e7de25fc559969c08d973ab40795df74e51965d' },
  { count: 28, l: 160, ki: '4aa25a61f8b31f061e0fc1d541deb20e097663cc57054e1f9a347989d8172d62', fixedInput: 'e473fe5877fa137c50beadc2295187f1b66e35c80b7864bf01c1c620fc09893991500e9a93851ae122170911562bf6ee3c75d5ddeaded27814623d2c', ko: 'e235ff72d9c0a64a80cd86fdb26f1cd8740e2704' },
  { count: 29, l: 160, ki: '26b29556106c06a85c6950aaf20b5e08a523e80e198a725b69e23fe93bd2e16d', fixedInput: 'bd973f9bc6ff0226b2acc682e0084b8c67b285ea9b8b838938d18f96de84521fe47d560337115f8232d765166751f1b7026e608d25ec6504346d106d', ko: 'e23b197d4d5fd8081ca54dd86a1d459cca7c69b0' },
  { count: 30, l: 320, ki: 'c4bedbddb66493e7c7259a3bbbc25f8c7e0ca7fe284d92d431d9cd99a0d214ac', fixedInput: '1c69c54766791e315c2cc5c47ecd3ffab87d0d273dd920e70955814c220eacace6a5946542da3dfe24ff626b4897898cafb7db83bdff3c14fa46fd4b', ko: '1da47638d6c9c4d04d74d4640bbd42ab814d9e8cc22f4326695239f96b0693f12d0dd1152cf44430' },
  { count: 31, l: 320, ki: '22256ca571d5c896db80a8758ff81cf8631d2bc38c7e76f3bafb0c2af540a356', fixedInput: '9dd2dcd97b926251b50c6111d988e2951b02accc143702c88920cf36848f7c731756ab0537cb26e22725f11de069e5335802b0cb56c158dd75014791', ko: 'a11aa3b1a93d2ce117550866c28d6974cf626719385b8868101a71a5d2aa793bc23c3cfdebe52ec9' },
  { count: 32, l: 320, ki: '8066e057e73296158ed5479848317ad5e64ee8fb2e54d4ef85b7792f57f6f887', fixedInput: '16da06e7360e4c27419b5f697e4c8548925ce55b53ad9e5e85b94c7f8e57ad142a1a0a0384337b1adf6410edcecea921152b94d6b23a192ce6f602d7', ko: '6ebef64b358050edc3c841f52188c5e442cb69630fec0be5114816af616a333f0aac5153e9265aa6' },
  { count: 33, l: 320, ki: '56f06cc0bc392ab108696c7df71495b5a5cd3638e0a92045af7cbd3076f6dd18', fixedInput: '4fcae8f32b08b8fb746121a2db2bc99fbb24b9ff11c60a1dc91f14ad9a60c6bafe4adb4dc160e9901eeeeb212a147ee0a7e76d4aefa427f66a205c86', ko: 'ccda8231fa5c0702ba282a8f18a0c1dec6baef308625fb8f504410522c3f3b6d647c177054317a07' },
  { count: 34, l: 320, ki: '617f1b6810c551aa5c21878b00656351466069d41adc7fee1ced3f2f3432435c', fixedInput: '2113f7005c580b77060990c2a3f9e8c8825f0d7e93a3f69f208ebb5b97c488dabd0de7c7f00e08b4515db2c02e1824f96e71c9a21a18079c4b649d81', ko: '0325b1c85f3d25ad5ebc2e7b380cfede6b3c8ada1af0d0d5bcd9d2b34c29083115168b8aef54c584' },
  { count: 35, l: 320, ki: '659edb9a0df51a3867d4aa01f74f60b7b151b01a3437c2f774fd37b6881a9ca4', fixedInput: '3fb60870a5813badfd7af948c3c924bec05c92d540140bf28f2546825c5fbd40f1571493a178467fda9793f2f7eed45b40ef68e0107b8d74c0cf32e4', ko: '5c12c7b6ec38f516f72e76689c3106ee00ee8c2f50862cbf7fcb74bf8798eb761a33838788e276a3' },
  { count: 36, l: 320, ki: '5703c556e3a53b8d2bf3c5ca773d0c6ed2c1b66a84e6680475a8286941b246b3', fixedInput: '119e37d64b5ad702ca59f7952e5822cdafb723c0f92cd70338a17e24d3af6267af792b189a01a8a3353acd7a85b4d63bf7e4b22f73d7992e8e4e7389', ko: 'e302c1c1e5c8f688a7580997399433fbaae499400b8a48901d808839c1eb49dfdf6324145f1ef01e' },
  { count: 37, l: 320, ki: '9a6e83b91bd999737e577e449142dae05968e774b223c1185dc574da785c93cc', fixedInput: '4b5845c6737202632b2946c3579d9d4582b475dfa373945b0abc68c8f0daa36520179439086c6809aa182094453bc0bffef0dc2888b96295fcd6e442', ko: 'e90e3ed902a8eb1fc67823af534a2b48466bf2c5877dad0aadc7d6ff741d8f437b2e6d0031846960' },
  { count: 38, l: 320, ki: '9bebf465003a85bc25ed340c6095d963885504d3cf0266af252effd22ad32d6f', fixedInput: '17506db459dca14840917dad23264303ab1c83e35018a72258099d20d4f8ab85c5227404b23aed6ae108bd1282e50a00d160e534264770a11b4fcc75', ko: '1a32ea308aa6dc6f1b7c77f1d9aae40672fcae22438bbb0528e280073b31797886b6a80036a00e19' },
  { count: 39, l: 320, ki: '1d9209183e557d3aac7e2ab53d26ec659df2a745fe56a53818ef5853a42ce194', fixedInput: 'c01a431a32833930a22abee5c6ea34db459316def3b241529ece7e39e2069a1e6b942946132eebc9679801d2cefef4bbb6a1b84ef853325b7bc498fd', ko: 'dabcffa16a7589deee6c768aaf01e0813de909005526da54700083ef068f854d49941279689a1726' },
];

describe('NIST CAVP KBKDF counter mode, HMAC-SHA-256, 32-bit counter before the fixed input', () => {
  const tally = new VectorTally('KDFCTR_gen.txt [HMAC_SHA256][BEFORE_FIXED][RLEN=32_BITS]');

  test.each(CAVP)('COUNT=$count, L=$l', async (vector) => {
    const out = await kbkdfHmacSha256(hex(vector.ki), EMPTY, hex(vector.fixedInput), vector.l / 8, OPAQUE);
    expect(out.constructor).toBe(Uint8Array);
    expect(toHex(out)).toBe(vector.ko);
    tally.record(vector.count, 'valid passed');
  });

  test('all 40 ran', () => {
    tally.check(40, { 'valid passed': 40 });
  });
});

describe('openvmm kdf known vectors (key 0^32, label "VMGSKEY", 32 bytes)', () => {
  test.each([
    ['2884186cfed2504110698b45d4807288df674c4826197a986988af960562f57f', '9db58bb70ca6cb6faae38174642176fa0ded28673076908383a01ad72ec3e23b'],
    ['d68a8d527c5ca59b195ae7456c3fef4d0eb0be16c78d77bd285aa1453e24eb3f', '0ada5491d60992872fd71a157124823625b4b954c2f4eb470288427b1f8edf3d'],
  ])('context %s', async (context, expected) => {
    expect(toHex(await kbkdfHmacSha256(new Uint8Array(32), hex(context), utf8('VMGSKEY'), 32))).toBe(expected);
  });
});

describe('encoding', () => {
  const key = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  const label = utf8('label');
  const context = utf8('context bytes');

  test.each([1, 16, 31, 32, 33, 64, 100, 1000])('the default is Label || 0x00 || Context || [L]_32 (%i bytes)', async (length) => {
    const fixed = new Uint8Array(label.length + 1 + context.length + 4);
    fixed.set(label);
    fixed.set(context, label.length + 1);
    new DataView(fixed.buffer).setUint32(fixed.length - 4, length * 8);
    expect(toHex(await kbkdfHmacSha256(key, context, label, length))).toBe(toHex(await kbkdfHmacSha256(key, EMPTY, fixed, length, OPAQUE)));
  });

  test('each option leaves out only its own part', async () => {
    const length = 40;
    const withoutSeparator = new Uint8Array([...label, ...context, 0, 0, 1, 64]);
    const withoutLength = new Uint8Array([...label, 0, ...context]);
    expect(toHex(await kbkdfHmacSha256(key, context, label, length, { separator: false }))).toBe(toHex(await kbkdfHmacSha256(key, EMPTY, withoutSeparator, length, OPAQUE)));
    expect(toHex(await kbkdfHmacSha256(key, context, label, length, { encodeLength: false }))).toBe(toHex(await kbkdfHmacSha256(key, EMPTY, withoutLength, length, OPAQUE)));
  });

  test('a longer output extends a shorter one only when L is not encoded', async () => {
    const short = toHex(await kbkdfHmacSha256(key, context, label, 20, OPAQUE));
    expect(toHex(await kbkdfHmacSha256(key, context, label, 70, OPAQUE)).startsWith(short)).toBe(true);
    expect(toHex(await kbkdfHmacSha256(key, context, label, 70)).startsWith(toHex(await kbkdfHmacSha256(key, context, label, 20)))).toBe(false);
  });

  test('an empty key, label and context work (the key as 64 zero bytes, RFC 2104)', async () => {
    expect(toHex(await kbkdfHmacSha256(EMPTY, EMPTY, EMPTY, 48))).toBe(toHex(await kbkdfHmacSha256(new Uint8Array(64), EMPTY, EMPTY, 48)));
  });
});

describe('errors', () => {
  test.each([0, -1, 1.5, KBKDF_MAX_OUTPUT_LENGTH + 1, Number.NaN])('length %s is a KbkdfError (RangeError)', async (length) => {
    const error = await kbkdfHmacSha256(new Uint8Array(32), EMPTY, EMPTY, length).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbkdfError);
    expect((error as Error).message).toBe('KBKDF operation failed');
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });

  test.each([
    ['key', () => kbkdfHmacSha256('k' as unknown as Uint8Array, EMPTY, EMPTY, 32)],
    ['context', () => kbkdfHmacSha256(EMPTY, null as unknown as Uint8Array, EMPTY, 32)],
    ['label', () => kbkdfHmacSha256(EMPTY, EMPTY, [1] as unknown as Uint8Array, 32)],
  ])('a %s that is not a Uint8Array is a KbkdfError (TypeError)', async (_what, call) => {
    const error = await call().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KbkdfError);
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });
});
