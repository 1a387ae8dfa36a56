/**
 * Constant-time comparison for the backends that have no native one (`noble`, and `native` for
 * truncated tags). The `openssl` backend uses `crypto.timingSafeEqual` instead.
 *
 * JavaScript gives no hard timing guarantee, but this loop has no data-dependent branch or early
 * exit: its running time depends only on the (public) lengths. This is the construction
 * `@noble/ciphers` and `@noble/curves` use.
 */

/** Whether `a` and `b` hold the same bytes; lengths are treated as public. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}
