/**
 * `ensure-single-backend`: the build's diagnostic, with the build's text, at the app entry's
 * `ensureSingleBackend()` call; nothing elsewhere. The fixture workspaces are the build tests' own.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApps } from '../../../src/app/check-apps.ts';
import { ENSURE_SINGLE_BACKEND_SYMBOL } from '../../../src/diagnostic/ensure-single-backend.ts';
import rule from '../../../src/eslint/rules/ensure-single-backend.ts';
import { FIXTURES } from '../../support/fixture.ts';
import { pkg, writeWorkspace } from '../../support/write-workspace.ts';
import { onDisk, SourceRuleTester } from '../support/rule-testers.ts';

const fixture = (path: string) => join(FIXTURES, path);
const ENTRY = "import { ensureSingleBackend } from '@t/crypto';\n\nensureSingleBackend();\n";

/** An atMostOne group with two features on, and a typo in a dependency's features. */
const groups = writeWorkspace({
  'packages/crypto/package.json': pkg('@t/crypto', {
    guard: {
      features: { default: [], openssl: [], noble: [], native: [], std: [], alloc: [] },
      exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] }, heap: { atMostOne: ['std', 'alloc'] } },
    },
  }),
  'packages/app/package.json': pkg('@t/app', {
    dependencies: { '@t/crypto': 'workspace:*' },
    guard: { app: { entry: 'src/main.ts' }, dependencies: { '@t/crypto': { features: ['openssl', 'std', 'alloc'] } } },
  }),
  'packages/app/src/main.ts': ENTRY,
});
const broken = writeWorkspace({
  'packages/crypto/package.json': pkg('@t/crypto', {
    guard: { features: { default: [], openssl: [], noble: [], native: [] }, exclusive: { backend: { exactlyOne: ['openssl', 'noble', 'native'] } } },
  }),
  'packages/app/package.json': pkg('@t/app', {
    dependencies: { '@t/crypto': 'workspace:*' },
    guard: { app: { entry: 'src/main.ts' }, dependencies: { '@t/crypto': { features: ['opensll'] } } },
  }),
  'packages/app/src/main.ts': ENTRY,
});

/** The diagnostic of docs/backend-guard.md, as `guard check` and the build print it. */
const TWO_BACKENDS = `error[ensure_single_backend]: @fx/vmm enables 2 backends (openssl, noble) of @fx/crypto, whose group "backend" allows exactly one of: openssl, noble, native
  = undefined symbol: ${ENSURE_SINGLE_BACKEND_SYMBOL}

  backend "openssl" is enabled by 1 chain:
    chain 1:
      apps/vmm/package.json:2:11   @fx/vmm: root of this resolution
      apps/vmm/package.json:7:19   @fx/vmm: depends on @fx/crypto
      apps/vmm/package.json:12:52  @fx/vmm: depends on @fx/crypto with feature "openssl"

  backend "noble" is enabled by 1 chain:
    chain 1:
      apps/vmm/package.json:2:11   @fx/vmm: root of this resolution
      apps/vmm/package.json:8:16   @fx/vmm: depends on @fx/tls
      apps/vmm/package.json:8:16   @fx/vmm: depends on @fx/tls with its default features
      libs/tls/package.json:10:19  @fx/tls: feature "default" enables "fast-hash"
      libs/tls/package.json:11:21  @fx/tls: feature "fast-hash" enables "@fx/crypto/noble"

  help: keep exactly one. Backends are chosen by apps, not libraries: remove the others from the entries above,
        or make a library's choice an opt-in feature that the app turns on (off by default).
        Inspect: pnpm guard why @fx/crypto --app @fx/vmm`;

const ZERO_BACKENDS = `error[ensure_single_backend]: @fx/tool enables no backend of @fx/crypto, whose group "backend" allows exactly one of: openssl, noble, native
  = undefined symbol: ${ENSURE_SINGLE_BACKEND_SYMBOL}

  help: choose one: in apps/tool/package.json, set guard.dependencies["@fx/crypto"].features to one of "openssl", "noble", "native", or build with --features @fx/crypto/<openssl|noble|native>`;

const HEAP = `error[exclusive_group]: @t/app enables 2 features (std, alloc) of @t/crypto, whose group "heap" allows at most one of: std, alloc

  feature "std" is enabled by 1 chain:
    chain 1:
      packages/app/package.json:2:11   @t/app: root of this resolution
      packages/app/package.json:5:18   @t/app: depends on @t/crypto
      packages/app/package.json:15:11  @t/app: depends on @t/crypto with feature "std"

  feature "alloc" is enabled by 1 chain:
    chain 1:
      packages/app/package.json:2:11   @t/app: root of this resolution
      packages/app/package.json:5:18   @t/app: depends on @t/crypto
      packages/app/package.json:16:11  @t/app: depends on @t/crypto with feature "alloc"

  help: @t/crypto allows at most one of std, alloc: turn all but one off in the entries above.
        Inspect: pnpm guard why @t/crypto --app @t/app`;

const BROKEN = `1 problem in package.json features:
  packages/app/package.json:14:11: error[unknown-feature]: @t/crypto has no feature "opensll"
    expected: a feature of @t/crypto: default, openssl, noble, native`;

const call = { line: 4, column: 17, endLine: 4, endColumn: 38 };

new SourceRuleTester().run('ensure-single-backend', rule, {
  valid: [
    // One backend per app: the two-apps fixture (each app alone, as nx build resolves it).
    onDisk(fixture('two-apps/apps/vmm/src/main.ts')),
    onDisk(fixture('two-apps/apps/sevtool/src/main.ts')),
    // One backend, chosen through a library (attest selects native): the app is sound.
    onDisk(fixture('library-selects-backend/apps/vmm/src/main.ts')),
    // Not an app's entry: a library of a workspace whose app is wrong.
    onDisk(fixture('library-feature-adds-backend/libs/tls/src/index.ts')),
    // Another file of the wrong app: only its entry is checked.
    { code: ENTRY.replaceAll('@t/', '@fx/'), filename: fixture('zero-backends/apps/tool/src/other.ts') },
    // No call (require-ensure-single-backend reports that), or a local function of the same name.
    { code: "import { sha256 } from '@fx/crypto';\nsha256(new Uint8Array());\n", filename: fixture('zero-backends/apps/tool/src/main.ts') },
    { code: 'function ensureSingleBackend() {}\nensureSingleBackend();\n', filename: fixture('zero-backends/apps/tool/src/main.ts') },
    // The atMostOne group is sound when one feature of it is on; the backend too.
    { code: ENTRY, filename: join(groups, 'packages/app/src/other.ts') },
  ],
  invalid: [
    {
      ...onDisk(fixture('library-feature-adds-backend/apps/vmm/src/main.ts')),
      errors: [{ messageId: 'ensureSingleBackend', data: { message: TWO_BACKENDS }, ...call }],
    },
    {
      ...onDisk(fixture('zero-backends/apps/tool/src/main.ts')),
      errors: [{ messageId: 'ensureSingleBackend', data: { message: ZERO_BACKENDS }, ...call }],
    },
    {
      // A renamed import: the call is found by scope, not by name.
      code: "import { ensureSingleBackend as proveBackend } from '@fx/crypto';\n\nexport const backend = proveBackend();\n",
      filename: fixture('zero-backends/apps/tool/src/main.ts'),
      errors: [{ messageId: 'ensureSingleBackend', data: { message: ZERO_BACKENDS }, line: 3, column: 24, endLine: 3, endColumn: 38 }],
    },
    {
      // A namespace import; only the first call is reported.
      code: "import * as crypto from '@fx/crypto';\n\ncrypto.ensureSingleBackend();\ncrypto.ensureSingleBackend();\n",
      filename: fixture('zero-backends/apps/tool/src/main.ts'),
      errors: [{ messageId: 'ensureSingleBackend', data: { message: ZERO_BACKENDS }, line: 3, column: 1, endLine: 3, endColumn: 29 }],
    },
    {
      code: ENTRY,
      filename: join(groups, 'packages/app/src/main.ts'),
      errors: [{ messageId: 'exclusiveGroup', data: { message: HEAP }, line: 3, column: 1, endLine: 3, endColumn: 22 }],
    },
    {
      // Bad manifests stop the build, so the check cannot run: said at the call, with the problems.
      code: ENTRY,
      filename: join(broken, 'packages/app/src/main.ts'),
      errors: [{ messageId: 'manifestProblems', data: { app: '@t/app', problems: BROKEN }, line: 3, column: 1, endLine: 3, endColumn: 22 }],
    },
  ],
});

describe('ensure-single-backend and the build', () => {
  it('reports the diagnostics checkApps gives the build and the CLI, word for word', () => {
    const [check] = checkApps({ workspaceRoot: fixture('library-feature-adds-backend') }, ['@fx/vmm']);
    expect(check!.diagnostics.map((d) => d.message)).toEqual([TWO_BACKENDS]);
  });
});
