/**
 * `sha_256` on `node:crypto`: OpenSSL's streaming digest, so incremental hashing runs in constant memory.
 */
import type { HashState, OwnedBytes } from '../backend/backend.ts';
import { nodeDigest, nodeHashState } from '../internal/node.ts';

export function digest(data: Uint8Array): OwnedBytes {
  return nodeDigest('sha256', data);
}

export function create(): HashState {
  return nodeHashState('sha256');
}
