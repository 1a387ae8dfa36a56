/**
 * `@tsvmm/sev`: AMD SEV-SNP and legacy SEV verification on the workspace crypto, modelled on
 * virtee/sev and google/go-sev-guest. The two halves are also entry points of their own, which
 * is how an app takes only one (see README.md, "Features"):
 *
 * - `@tsvmm/sev/snp` (feature `snp`): attestation reports, AMD's X.509 chain and CRLs, policy
 *   validation, KDS URLs;
 * - `@tsvmm/sev/sev` (feature `sev`): AMD-format ARK/ASK and the PDH/PEK/OCA/CEK platform chain.
 *
 * This entry re-exports both. Exports are additive: each half adds its own lines below.
 */
export * from './snp/index.ts';
export * from './sev/index.ts';
