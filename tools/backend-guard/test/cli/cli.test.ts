/** The `guard` command line, run as a user runs it: exit codes, text and JSON output. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace } from '../support/fixture.ts';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

function guard(root: string, ...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args, '--root', root], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('guard check', () => {
  it('passes a workspace whose apps each have one backend', () => {
    const run = guard(fixtureWorkspace('two-apps', { install: false }), 'check');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok     @fx/sevtool: @fx/crypto/noble');
    expect(run.stdout).toContain('ok     @fx/vmm: @fx/crypto/openssl');
    expect(run.stdout).toContain('2 apps checked (unification: package), 0 with a wrong backend count');
  });

  it('lists every app with a wrong count and exits 1', () => {
    const run = guard(fixtureWorkspace('two-apps', { install: false }), 'check', '--unification', 'workspace');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('wrong  @fx/sevtool: @fx/sevtool enables 2 backends (openssl, noble)');
    expect(run.stdout).toContain('wrong  @fx/vmm: @fx/vmm enables 2 backends (openssl, noble)');
    expect(run.stdout).toContain('__openvmm_crypto_ensure_single_backend__enable_exactly_one__see_support_crypto');
  });

  it('reports bad manifests with file:line:column and exits 2', () => {
    const root = fixtureWorkspace('zero-backends', { install: false });
    writeFileSync(join(root, 'apps/tool/package.json'), '{\n  "name": "@fx/tool",\n  "guard": { "app": { "entry": "src/main.ts" }, "features": { "x": ["y"] } }\n}\n');
    const run = guard(root, 'check');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('apps/tool/package.json:3:69: error[unknown-feature]: "y" is not a feature of @fx/tool');
  });

  it('rejects unknown options with usage and exit 2', () => {
    const run = guard(fixtureWorkspace('two-apps', { install: false }), 'check', '--unification', 'crate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--unification must be one of package, selected, workspace');
  });
});

describe('guard features and why', () => {
  const root = fixtureWorkspace('library-feature-adds-backend', { install: false });

  it('prints the features of every package in an app build', () => {
    const run = guard(root, 'features', '@fx/vmm');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['@fx/crypto: default, noble, openssl', '@fx/tls: default, fast-hash', '@fx/vmm', '@noble/hashes']);
  });

  it('prints an inverted tree with the entry of each step', () => {
    const run = guard(root, 'why', '@fx/crypto', '--app', '@fx/vmm');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('├── @fx/crypto feature "noble"\n│   └── @fx/tls feature "fast-hash" (*)  [libs/tls/package.json:11:21: feature "fast-hash" enables "@fx/crypto/noble"]');
    expect(run.stdout).toContain('└── @fx/crypto feature "openssl"\n    └── @fx/vmm -> @fx/crypto (*)  [apps/vmm/package.json:12:52: depends on @fx/crypto with feature "openssl"]');
  });

  it('gives the same tree as JSON', () => {
    const run = guard(root, 'why', '@fx/crypto', '--json');
    const [entry] = JSON.parse(run.stdout);
    expect(entry).toMatchObject({ app: '@fx/vmm', package: '@fx/crypto', active: true, tree: { kind: 'package', label: '@fx/crypto' } });
    const noble = entry.tree.children.find((c: { label: string }) => c.label === '@fx/crypto feature "noble"');
    expect(noble.children[0]).toMatchObject({ kind: 'feature', label: '@fx/tls feature "fast-hash"', site: { file: 'libs/tls/package.json', line: 11, column: 21 } });
  });
});
