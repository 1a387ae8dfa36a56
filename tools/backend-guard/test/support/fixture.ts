/**
 * Fixture workspaces for tests: each is copied (with the shared `_crypto` package beside it) into a
 * fresh temporary folder and installed with pnpm, so builds resolve packages as a real workspace does.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

export type FixtureName = 'zero-backends' | 'library-feature-adds-backend' | 'library-selects-backend' | 'two-apps' | 'workers-and-assets';

/** Copies fixture `name` to a temporary folder and returns its root; installs it unless told not to. */
export function fixtureWorkspace(name: FixtureName, { install = true } = {}): string {
  const base = mkdtempSync(join(tmpdir(), `guard-${name}-`));
  cpSync(FIXTURES, base, { recursive: true });
  const root = join(base, name);
  if (install) execFileSync('pnpm', ['install', '--prefer-offline', '--silent'], { cwd: root, stdio: 'pipe' });
  return root;
}
