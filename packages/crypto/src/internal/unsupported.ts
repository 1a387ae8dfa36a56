/**
 * {@link UnsupportedError}: what a backend throws for an operation or parameter its library cannot
 * do (for example RSA-OAEP with an MGF1 hash other than the OAEP hash on WebCrypto). The public
 * module wraps it like any other failure, so it arrives as the `cause` of that module's error
 * (`RsaError`, `X509Error`, ...); `isUnsupported(error)` tells it apart from a real failure.
 * README.md lists every unsupported operation per backend.
 */

/** An operation or parameter the linked backend cannot perform (not a failure of the input). */
export class UnsupportedError extends Error {
  override readonly name = 'UnsupportedError';

  /** `backend`: the backend's name; `operation`: what was asked, such as "RSA-OAEP with MGF1-SHA-1 and SHA-256". */
  constructor(
    readonly backend: string,
    readonly operation: string,
    reason: string,
  ) {
    super(`${operation} is not supported by the ${backend} backend: ${reason}`);
  }
}

/** Whether `error` (a module error such as `RsaError`, or the `UnsupportedError` itself) is an "unsupported" failure. */
export function isUnsupported(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (e instanceof UnsupportedError) return true;
  }
  return false;
}
