/**
 * Tests of `sha_256` (one-shot and incremental) through the public API; backend-agnostic (run once
 * per backend). The tests themselves are shared with `sha_384` (`testing/incremental_hash_suite.ts`);
 * this file gives them SHA-256's API, its FIPS 180-2 / RFC 6234 vectors and its names.
 */
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { vectorsOf } from '../testing/hash_vectors.ts';
import { describeIncrementalHash } from '../testing/incremental_hash_suite.ts';
import { SHA_256_LENGTH, Sha256, Sha256Error, sha256 } from './index.ts';

describeIncrementalHash({
  digest: sha256,
  Hasher: Sha256,
  ModuleError: Sha256Error,
  errorName: 'Sha256Error',
  errorMessage: 'SHA-256 operation failed',
  length: SHA_256_LENGTH,
  vectors: vectorsOf(HashAlgorithm.Sha256),
  pangramDigest: 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592',
  pangramSource: 'openvmm sha_256 known vector',
});
