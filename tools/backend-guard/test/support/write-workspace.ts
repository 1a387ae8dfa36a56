/** Writes a small workspace from literal package.json texts, for tests of located errors. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** `files` maps paths (relative to the root) to contents; pnpm-workspace.yaml covers `packages/*`. */
export function writeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'guard-ws-'));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** A package.json text for package `name` with the given extra fields, pretty-printed. */
export function pkg(name: string, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ name, version: '0.0.0', ...fields }, null, 2) + '\n';
}
