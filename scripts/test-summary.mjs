// Adds up the JSON reports of every vitest run (see vitest.shared.ts) into one closing line.
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../.cache/test-results/', import.meta.url);
let passed = 0, failed = 0, skipped = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const report = JSON.parse(readFileSync(new URL(name, dir), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  console.log(`  ${name.replace(/\.json$/, '').padEnd(24)} ${report.numPassedTests} passed, ${report.numFailedTests} failed`);
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
