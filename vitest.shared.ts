/**
 * Settings every project's vitest config shares: the default reporter for people, and a JSON
 * report per project under `.cache/test-results/` that `scripts/test` adds up into one
 * "N passed, N failed" line.
 */
import { fileURLToPath } from 'node:url';

const RESULTS = fileURLToPath(new URL('./.cache/test-results/', import.meta.url));

export function testReporters(project: string): ['default', ['json', { outputFile: string }]] {
  return ['default', ['json', { outputFile: `${RESULTS}${project}.json` }]];
}
