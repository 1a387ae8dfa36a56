/**
 * Manifest validation: every malformed table, unknown feature or package, and cycle is reported
 * with its code, file, line and column, and what was expected; all problems at once.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkspace, readWorkspace } from '../../src/manifest/workspace.ts';
import { ManifestError } from '../../src/manifest/errors.ts';
import { pkg, writeWorkspace } from '../support/write-workspace.ts';

/** The problems of a one-or-more-package workspace, as `code line:column` plus the message. */
function problems(files: Record<string, string>) {
  const root = writeWorkspace(files);
  return readWorkspace(root).problems.map((p) => ({
    code: p.code,
    at: `${p.location.file.slice(root.length + 1)}:${p.location.line}:${p.location.column}`,
    message: p.message,
    expected: p.expected,
  }));
}

const crypto = pkg('crypto', {
  guard: {
    features: { default: [], openssl: [], noble: [] },
    exclusive: { backend: { exactlyOne: ['openssl', 'noble'] } },
  },
});

describe('located manifest errors', () => {
  it('reports invalid JSON at the syntax error', () => {
    expect(problems({ 'packages/a/package.json': '{\n  "name": "a",\n  "guard": { "features": [ }\n}\n' })).toEqual([
      expect.objectContaining({ code: 'invalid-json', at: 'packages/a/package.json:3:28' }),
    ]);
  });

  it('reports a features table that is not an object', () => {
    expect(problems({ 'packages/a/package.json': pkg('a', { guard: { features: ['x'] } }) })).toEqual([
      { code: 'malformed', at: 'packages/a/package.json:5:17', message: '"guard.features" is an array', expected: 'an object of feature names to lists of feature values' },
    ]);
  });

  it('reports unknown keys in guard and in dependency options', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { dependencies: { crypto: 'workspace:*' }, guard: { featurs: {}, dependencies: { crypto: { default: false } } } }),
      'packages/crypto/package.json': crypto,
    });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['malformed', 'packages/a/package.json:8:5', 'unknown key "featurs" in "guard"'],
      ['malformed', 'packages/a/package.json:11:9', 'unknown dependency option "default"'],
    ]);
  });

  it('reports a feature value naming an unknown own feature, with what exists', () => {
    expect(problems({ 'packages/a/package.json': pkg('a', { guard: { features: { default: ['std'], fast: [] } } }) })).toEqual([
      { code: 'unknown-feature', at: 'packages/a/package.json:7:9', message: '"std" is not a feature of a', expected: 'one of: default, fast, or "package/feature"' },
    ]);
  });

  it('reports a dependency feature that the dependency does not declare', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { dependencies: { crypto: 'workspace:*' }, guard: { features: { tls: ['crypto/boringssl'] } } }),
      'packages/crypto/package.json': crypto,
    });
    expect(result).toEqual([
      { code: 'unknown-feature', at: 'packages/a/package.json:10:9', message: 'crypto has no feature "boringssl"', expected: 'a feature of crypto: default, openssl, noble' },
    ]);
  });

  it('reports a reference to a package that is not a dependency, and features of external packages', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { dependencies: { leftpad: '1.0.0' }, guard: { features: { x: ['crypto/openssl'], y: ['leftpad/fast'] } } }),
    });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['unknown-dependency', 'packages/a/package.json:10:9', '"crypto" is not a dependency of a'],
      ['unknown-package', 'packages/a/package.json:13:9', '"leftpad" is not a workspace package, so it has no feature "fast"'],
    ]);
  });

  it('reports dep: and ?/ on a dependency that is not optional', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { dependencies: { crypto: 'workspace:*' }, guard: { features: { x: ['dep:crypto'], y: ['crypto?/noble'] } } }),
      'packages/crypto/package.json': crypto,
    });
    expect(result.map((r) => [r.code, r.at])).toEqual([
      ['not-optional', 'packages/a/package.json:10:9'],
      ['not-optional', 'packages/a/package.json:13:9'],
    ]);
  });

  it('reports feature cycles and package cycles', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { dependencies: { b: 'workspace:*' }, guard: { features: { x: ['y'], y: ['x'] } } }),
      'packages/b/package.json': pkg('b', { dependencies: { a: 'workspace:*' } }),
    });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['feature-cycle', 'packages/a/package.json:13:9', 'feature cycle in a: x -> y -> x'],
      ['dependency-cycle', 'packages/b/package.json:5:5', 'dependency cycle: a -> b -> a'],
    ]);
  });

  it('reports exclusive groups that name unknown features or are malformed', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { guard: { features: { p: [], q: [] }, exclusive: { one: { exactlyOne: ['p', 'r'] }, two: { atMostOne: ['q'], exactlyOne: ['p'] } } } }),
    });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['unknown-feature', 'packages/a/package.json:13:11', 'group "one" names "r", which is not a feature of a'],
      ['invalid-group', 'packages/a/package.json:16:14', 'group "two" must have exactly one of "exactlyOne" and "atMostOne"'],
    ]);
  });

  it('reports an optional dev-dependency and options for an undeclared dependency', () => {
    const result = problems({
      'packages/a/package.json': pkg('a', { devDependencies: { crypto: 'workspace:*' }, guard: { devDependencies: { crypto: { optional: true } }, dependencies: { other: {} } } }),
      'packages/crypto/package.json': crypto,
    });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['unknown-dependency', 'packages/a/package.json:14:7', '"other" has feature options but is not in "dependencies"'],
      ['malformed', 'packages/a/package.json:10:21', 'dev-dependency "crypto" cannot be optional'],
    ]);
  });

  it('reads guard.app workers and assets, paths resolved against package.json', () => {
    const root = writeWorkspace({
      'packages/vmm/package.json': pkg('vmm', { guard: { app: { entry: 'src/main.ts', workers: { vcpu: 'src/vcpu/worker_main.ts', 'io_2-b': 'io.ts' }, assets: ['native/build/Release/addon.node'] } } }),
    });
    const app = loadWorkspace(root).packages.get('vmm')!.app!;
    const dir = join(root, 'packages/vmm');
    expect(app.workers.map((w) => [w.name, w.entry, w.pointer])).toEqual([
      ['vcpu', join(dir, 'src/vcpu/worker_main.ts'), ['guard', 'app', 'workers', 'vcpu']],
      ['io_2-b', join(dir, 'io.ts'), ['guard', 'app', 'workers', 'io_2-b']],
    ]);
    expect(app.assets).toEqual([{ path: join(dir, 'native/build/Release/addon.node'), pointer: ['guard', 'app', 'assets', 0] }]);
  });

  it('reports unknown keys of guard.app, with the keys it takes', () => {
    expect(problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', worker: {} } } }) })).toEqual([
      { code: 'malformed', at: 'packages/a/package.json:7:7', message: 'unknown key "worker" in "guard.app"', expected: 'one of entry, workers, assets' },
    ]);
  });

  it('reports guard.app.workers that is not an object', () => {
    expect(problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', workers: ['w.ts'] } } }) })).toEqual([
      { code: 'malformed', at: 'packages/a/package.json:7:18', message: '"guard.app.workers" is an array', expected: 'an object of worker names to entry modules, { "<name>": "<path>" }' },
    ]);
  });

  it('reports worker names that are not lowercase names or are "main", and entries that are not paths', () => {
    const workers = { Vcpu: 'a.ts', '1st': 'b.ts', 'has space': 'c.ts', main: 'd.ts', vcpu: 7, io: '', ok_1: 'e.ts' };
    const result = problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', workers } } }) });
    const name = 'a lowercase name matching ^[a-z][a-z0-9_-]*$, other than "main" (the bundle is dist/<name>.mjs)';
    const path = 'the path of the worker\'s entry module, relative to package.json';
    expect(result).toEqual([
      { code: 'invalid-name', at: 'packages/a/package.json:8:9', message: '"Vcpu" is not a worker name', expected: name },
      { code: 'invalid-name', at: 'packages/a/package.json:9:9', message: '"1st" is not a worker name', expected: name },
      { code: 'invalid-name', at: 'packages/a/package.json:10:9', message: '"has space" is not a worker name', expected: name },
      { code: 'invalid-name', at: 'packages/a/package.json:11:9', message: '"main" is the main bundle\'s name', expected: name },
      { code: 'malformed', at: 'packages/a/package.json:12:17', message: 'worker "vcpu" is number 7', expected: path },
      { code: 'malformed', at: 'packages/a/package.json:13:15', message: 'worker "io" is string ""', expected: path },
    ]);
  });

  it('reports guard.app.assets that is not a list of file paths', () => {
    expect(problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', assets: 'addon.node' } } }) })).toEqual([
      { code: 'malformed', at: 'packages/a/package.json:7:17', message: '"guard.app.assets" is string "addon.node"', expected: 'an array of strings (paths of files to copy into dist/, relative to package.json)' },
    ]);
    const result = problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', assets: ['ok.bin', 3, '', 'native/', '.'] } } }) });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['malformed', 'packages/a/package.json:9:9', 'list entry is number 3'],
      ['malformed', 'packages/a/package.json:10:9', 'asset "" is not a file path'],
      ['malformed', 'packages/a/package.json:11:9', 'asset "native/" is not a file path'],
      ['malformed', 'packages/a/package.json:12:9', 'asset "." is not a file path'],
    ]);
  });

  it('reports assets that would be copied over a bundle, guard.json or another asset', () => {
    const assets = ['x/main.mjs', 'y/vcpu.mjs.map', 'guard.json', 'a/addon.node', 'b/addon.node', 'vcpu.node'];
    const result = problems({ 'packages/a/package.json': pkg('a', { guard: { app: { entry: 'main.ts', workers: { vcpu: 'w.ts' }, assets } } }) });
    expect(result.map((r) => [r.code, r.at, r.message])).toEqual([
      ['malformed', 'packages/a/package.json:11:9', 'asset "x/main.mjs" would be copied to dist/main.mjs, which is the main bundle'],
      ['malformed', 'packages/a/package.json:12:9', 'asset "y/vcpu.mjs.map" would be copied to dist/vcpu.mjs.map, which is the "vcpu" worker\'s source map'],
      ['malformed', 'packages/a/package.json:13:9', 'asset "guard.json" would be copied to dist/guard.json, which is the build\'s record'],
      ['malformed', 'packages/a/package.json:15:9', 'asset "b/addon.node" would be copied to dist/addon.node, which is the copy of asset "a/addon.node"'],
    ]);
  });

  it('throws one ManifestError listing every problem, formatted file:line:col', () => {
    const root = writeWorkspace({
      'packages/a/package.json': pkg('a', { guard: { features: { x: ['nope'] }, app: 'main.ts' } }),
    });
    expect(() => loadWorkspace(root)).toThrow(ManifestError);
    try {
      loadWorkspace(root);
    } catch (error) {
      const text = (error as ManifestError).message;
      expect(text).toContain(`${join('packages', 'a', 'package.json')}:10:12: error[malformed]: "guard.app" is string "main.ts"`);
      expect(text).toContain('packages/a/package.json:7:9: error[unknown-feature]: "nope" is not a feature of a');
    }
  });
});
