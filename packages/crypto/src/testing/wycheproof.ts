/**
 * Loads Wycheproof vectors from the shared test data beside the repository
 * (`<repo>/../shared/testdata/wycheproof/`, where CI puts `shared/`).
 *
 * A missing or malformed file throws with a message saying where the file was looked for: the
 * suite fails, it never skips.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/testdata/wycheproof/`, from this file at `<repo>/packages/crypto/src/testing/`. */
export const WYCHEPROOF_DIR = new URL('../../../../../shared/testdata/wycheproof/', import.meta.url);

/** The fields every Wycheproof test has (README.md beside the vectors). */
export interface WycheproofTest {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
}

export interface WycheproofGroup<T extends WycheproofTest> {
  type: string;
  tests: T[];
  [field: string]: unknown;
}

export interface WycheproofFile<T extends WycheproofTest> {
  algorithm: string;
  numberOfTests: number;
  testGroups: WycheproofGroup<T>[];
}

/**
 * Reads `file` (such as `hmac_sha256_test.json`), checks it is the expected `algorithm` and holds
 * `numberOfTests` tests, and returns it.
 */
export function loadWycheproof<T extends WycheproofTest>(file: string, algorithm: string): WycheproofFile<T> {
  const url = new URL(file, WYCHEPROOF_DIR);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    const repo = fileURLToPath(new URL('../../../../', import.meta.url));
    throw new Error(
      `Wycheproof vectors not found: ${path} does not exist.\n` +
        `The crypto tests read the shared test data from the folder "shared" beside the repository ` +
        `(${repo}../shared/testdata/wycheproof/), which is where CI puts it. Put shared/ there; ` +
        `these tests do not skip without it.`,
    );
  }
  const json = JSON.parse(readFileSync(path, 'utf8')) as WycheproofFile<T>;
  if (json.algorithm !== algorithm) throw new Error(`${path}: algorithm is ${JSON.stringify(json.algorithm)}, expected ${JSON.stringify(algorithm)}`);
  const count = json.testGroups.reduce((n, group) => n + group.tests.length, 0);
  if (count !== json.numberOfTests) throw new Error(`${path}: holds ${count} tests but numberOfTests says ${json.numberOfTests}`);
  return json;
}
