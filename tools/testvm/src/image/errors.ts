/**
 * The image builder's one error type. `ImageBuildError` says which step failed (a stable `code`),
 * which Debian package or file it was about, and the tool's own output; the CLI prints `message`,
 * tests match on `code`.
 */

/** Stable identifiers of image build failures. */
export type ImageBuildErrorCode =
  /** a host tool is not installed (`detail` names the apt package; run scripts/setup) */
  | 'missing-tool'
  /** apt-cache knows no candidate for a package even after `apt-get update` */
  | 'apt-resolve'
  /** `apt-get download` failed */
  | 'download'
  /** `dpkg-deb -x` failed, or a package lacks a file it should have */
  | 'extract'
  /** `depmod` / `modprobe --show-depends` failed or named no module */
  | 'modules'
  /** `ldd` failed or a shared library was not found */
  | 'libraries'
  /** writing an initramfs or the image folder failed */
  | 'write';

export class ImageBuildError extends Error {
  override readonly name = 'ImageBuildError';

  constructor(
    readonly code: ImageBuildErrorCode,
    /** the build step, as printed in the progress log */
    readonly step: string,
    message: string,
    readonly details: { pkg?: string; file?: string; output?: string; cause?: unknown } = {},
  ) {
    super(
      `testvm image build failed at "${step}" (${code})` +
        (details.pkg !== undefined ? ` [package ${details.pkg}]` : '') +
        (details.file !== undefined ? ` [file ${details.file}]` : '') +
        `: ${message}` +
        (details.output !== undefined && details.output.trim() !== '' ? `\n${lastLines(details.output, 20)}` : ''),
      details.cause !== undefined ? { cause: details.cause } : undefined,
    );
  }
}

/** The last `n` non-empty lines of a tool's output. */
export function lastLines(text: string, n: number): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-n).join('\n');
}
