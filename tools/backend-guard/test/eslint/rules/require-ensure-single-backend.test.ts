/**
 * `require-ensure-single-backend`: an app's entry calls the crypto package's `ensureSingleBackend()`;
 * other files need not.
 */
import { join } from 'node:path';
import rule from '../../../src/eslint/rules/require-ensure-single-backend.ts';
import { FIXTURES } from '../../support/fixture.ts';
import { pkg, writeWorkspace } from '../../support/write-workspace.ts';
import { onDisk, SourceRuleTester } from '../support/rule-testers.ts';

const entry = join(FIXTURES, 'two-apps/apps/vmm/src/main.ts');
const missing = { messageId: 'missingCall' as const, data: { app: '@fx/vmm', owner: '@fx/crypto' } };

/** A workspace with no backend group: there is nothing to call. */
const noGroup = writeWorkspace({
  'packages/app/package.json': pkg('@t/app', { guard: { app: { entry: 'src/main.ts' } } }),
});

new SourceRuleTester().run('require-ensure-single-backend', rule, {
  valid: [
    onDisk(entry),
    onDisk(join(FIXTURES, 'zero-backends/apps/tool/src/main.ts')), // a wrong count is ensure-single-backend's
    // Renamed, through a namespace or a default import, in a function, from a subpath export.
    { code: "import { ensureSingleBackend as prove } from '@fx/crypto';\nprove();\n", filename: entry },
    { code: "import * as crypto from '@fx/crypto';\ncrypto.ensureSingleBackend();\n", filename: entry },
    { code: "import crypto from '@fx/crypto';\ncrypto['ensureSingleBackend']();\n", filename: entry },
    { code: "import { ensureSingleBackend } from '@fx/crypto';\nexport function main() {\n  ensureSingleBackend();\n}\n", filename: entry },
    { code: "import { ensureSingleBackend } from '@fx/crypto/backend';\nensureSingleBackend();\n", filename: entry },
    // Not an entry: libraries and the app's other modules.
    onDisk(join(FIXTURES, 'library-feature-adds-backend/libs/tls/src/index.ts')),
    { code: 'export const x = 1;\n', filename: join(FIXTURES, 'two-apps/apps/vmm/src/other.ts') },
    { code: 'export const x = 1;\n', filename: join(noGroup, 'packages/app/src/main.ts') },
  ],
  invalid: [
    {
      // Imports the crypto package but never calls it: reported at that import.
      code: "import { sha256 } from '@fx/crypto';\n\nconsole.log(sha256(new Uint8Array()));\n",
      filename: entry,
      errors: [{ ...missing, line: 1, column: 1, endLine: 1, endColumn: 37 }],
    },
    {
      // Imported but only referenced, not called.
      code: "import { readFileSync } from 'node:fs';\nimport { ensureSingleBackend } from '@fx/crypto';\n\nexport const check = ensureSingleBackend;\nreadFileSync;\n",
      filename: entry,
      errors: [{ ...missing, line: 2, column: 1, endLine: 2, endColumn: 50 }],
    },
    {
      // A local function of that name is not the crypto package's.
      code: "function ensureSingleBackend() {\n  return 'openssl';\n}\nensureSingleBackend();\n",
      filename: entry,
      errors: [{ ...missing, line: 1, column: 1, endLine: 3, endColumn: 2 }],
    },
    {
      // A type-only import links nothing.
      code: "import type { ensureSingleBackend } from '@fx/crypto';\nexport type F = typeof ensureSingleBackend;\n",
      filename: entry,
      errors: [{ ...missing, line: 1, column: 1, endLine: 1, endColumn: 55 }],
    },
    {
      // Nothing at all: reported at the start of the file.
      code: '',
      filename: entry,
      errors: [{ ...missing, line: 1, column: 1, endLine: 1, endColumn: 1 }],
    },
  ],
});
