/**
 * The manifest module's errors: every problem found in package.json files, each with a stable code,
 * the file, line and column, and what was expected. Problems are gathered across the whole workspace
 * and reported together, so one run shows them all.
 */
import { formatLocation, locate, type JsonPointer, type PointAt, type SourceLocation } from './locate.ts';

/** Stable identifiers of manifest problems; tests and lint rules match on these. */
export type ManifestProblemCode =
  | 'invalid-json'
  | 'invalid-workspace'
  | 'malformed'
  | 'invalid-name'
  | 'unknown-feature'
  | 'unknown-package'
  | 'unknown-dependency'
  | 'not-optional'
  | 'feature-shadows-dependency'
  | 'feature-cycle'
  | 'dependency-cycle'
  | 'duplicate-package'
  | 'invalid-group';

/** One problem in one package.json. */
export class ManifestProblem {
  private cachedLocation: SourceLocation | undefined;

  constructor(
    readonly code: ManifestProblemCode,
    readonly file: string,
    readonly pointer: JsonPointer,
    readonly message: string,
    readonly expected: string | undefined,
    readonly at: PointAt = 'value',
    location?: SourceLocation,
  ) {
    this.cachedLocation = location;
  }

  /** Where the problem is; computed on first use. */
  get location(): SourceLocation {
    this.cachedLocation ??= locate(this.file, this.pointer, this.at);
    return this.cachedLocation;
  }

  /** `file:line:col: error[code]: message (expected ...)`. */
  format(root?: string): string {
    const expected = this.expected === undefined ? '' : `\n  expected: ${this.expected}`;
    return `${formatLocation(this.location, root)}: error[${this.code}]: ${this.message}${expected}`;
  }
}

/** Thrown when the workspace's manifests cannot be resolved; carries every problem found. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  constructor(
    readonly problems: readonly ManifestProblem[],
    readonly root?: string,
  ) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in package.json features:\n` +
        problems.map((p) => p.format(root)).join('\n'),
    );
  }
}
