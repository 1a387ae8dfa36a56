/**
 * Tests of `sha_384` (one-shot and incremental) through the public API; backend-agnostic (run once
 * per backend). The tests themselves are shared with `sha_256` (`testing/incremental_hash_suite.ts`);
 * this file gives them SHA-384's API, its FIPS 180-2 / RFC 6234 vectors and its names.
 */
import { HashAlgorithm } from '../hashes/algorithm.ts';
import { vectorsOf } from '../testing/hash_vectors.ts';
import { describeIncrementalHash } from '../testing/incremental_hash_suite.ts';
import { SHA_384_LENGTH, Sha384, Sha384Error, sha384 } from './index.ts';

describeIncrementalHash({
  digest: sha384,
  Hasher: Sha384,
  ModuleError: Sha384Error,
  errorName: 'Sha384Error',
  errorMessage: 'SHA-384 operation failed',
  length: SHA_384_LENGTH,
  vectors: vectorsOf(HashAlgorithm.Sha384),
  pangramDigest: 'ca737f1014a48f4c0b6dd43cb177b0afd9e5169367544c494011e3317dbf9a509cb1e5dc1e85a941bbee3d7f2afbc9b1',
  pangramSource: 'digest cross-checked with Python hashlib',
});
