/**
 * The one error of the legacy SEV certificate decoders: {@link SevFormatError}, thrown when bytes
 * are not a well-formed certificate or chain. It names the structure, the field and the byte
 * offset (from the start of the input given to the decoder), so a caller can say exactly what is
 * wrong with a file. A certificate that decodes but does not verify is not an error: verification
 * returns a result (see `verify.ts`).
 */

/**
 * What is wrong, as a stable ID (tests and tools match on it, not on the prose):
 * - `truncated`: the input ends inside `field`;
 * - `trailingData`: bytes remain after the last structure;
 * - `unsupportedVersion`: a `version` other than 1;
 * - `invalidValue`: a field holds a value the format does not allow (an unknown usage, algorithm,
 *   curve or key size).
 */
export type SevFormatErrorCode = 'truncated' | 'trailingData' | 'unsupportedVersion' | 'invalidValue';

/** Bytes that are not a well-formed legacy SEV certificate or chain. */
export class SevFormatError extends Error {
  override readonly name = 'SevFormatError';

  /**
   * @param code what is wrong
   * @param structure what was being decoded, e.g. `ARK/ASK certificate` or `SEV chain: PEK`
   * @param field the field, e.g. `modulus_size` or `signatures[1].algo`
   * @param offset the field's byte offset from the start of the decoder's input
   * @param detail the rest of the message
   */
  constructor(
    readonly code: SevFormatErrorCode,
    readonly structure: string,
    readonly field: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${structure}: ${field} at offset ${offset} (0x${offset.toString(16)}): ${detail}`);
  }
}
