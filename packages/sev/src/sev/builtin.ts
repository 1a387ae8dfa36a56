/**
 * AMD's own ARK and ASK of each EPYC generation in AMD format (the trust anchors of legacy SEV),
 * embedded as virtee/sev embeds them (`certs::sev::builtin`), and how to tell which generation a
 * certificate belongs to. A relying party trusts a chain only if its ARK is one of these.
 */
import { bytesEqual } from './bytes.ts';
import { BUILTIN_BASE64 } from './builtin_data.ts';
import { SevCaCertificate } from './ca_certificate.ts';
import type { SevCertificate } from './certificate.ts';
import { SevCaChain } from './chain.ts';
import { verifySevSignature } from './verify.ts';

/** The EPYC generations with a legacy SEV ARK/ASK, oldest first. */
export const SEV_GENERATIONS = ['naples', 'rome', 'milan', 'genoa', 'turin'] as const;

export type SevGeneration = (typeof SEV_GENERATIONS)[number];

const decoded = new Map<SevGeneration, SevCaChain>();

const base64Bytes = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** AMD's ASK and ARK of `generation`. */
export function sevBuiltinCaChain(generation: SevGeneration): SevCaChain {
  if (!SEV_GENERATIONS.includes(generation)) throw new TypeError(`unknown generation ${JSON.stringify(generation)}; expected one of ${SEV_GENERATIONS.join(', ')}`);
  let chain = decoded.get(generation);
  if (chain === undefined) {
    const data = BUILTIN_BASE64[generation];
    chain = new SevCaChain(SevCaCertificate.decode(base64Bytes(data.ask)), SevCaCertificate.decode(base64Bytes(data.ark)));
    decoded.set(generation, chain);
  }
  return chain;
}

/** The generation whose builtin ARK (or ASK) is `certificate`, byte for byte; `undefined` if none is. */
export function sevBuiltinGeneration(certificate: SevCaCertificate): SevGeneration | undefined {
  if (!(certificate instanceof SevCaCertificate)) throw new TypeError('certificate must be a SevCaCertificate');
  const bytes = certificate.encode();
  return SEV_GENERATIONS.find((generation) => {
    const chain = sevBuiltinCaChain(generation);
    return bytesEqual(bytes, (certificate.keyUsage === chain.ark.keyUsage ? chain.ark : chain.ask).encode());
  });
}

/**
 * The generation whose builtin ASK signed `cek` (the chip's generation), found by verifying the
 * CEK's signature with each; `undefined` if none did.
 */
export async function identifySevCekGeneration(cek: SevCertificate): Promise<SevGeneration | undefined> {
  for (const generation of SEV_GENERATIONS) {
    if ((await verifySevSignature(sevBuiltinCaChain(generation).ask, cek)).valid) return generation;
  }
  return undefined;
}
