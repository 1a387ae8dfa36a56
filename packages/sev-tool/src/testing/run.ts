/**
 * Test helpers: run `sev-tool` in-process with captured output, find the shared SEV test data
 * (`<repo>/../shared/testdata/sev/`; a missing file fails the test, naming where it looked), and
 * make scratch directories of certificate files.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
import { main } from '../cli.ts';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `sev-tool ...args` in this process. */
export async function sevTool(...args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const status = await main(args, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { status, stdout, stderr };
}

/** `<repo>/../shared/testdata/sev/`. */
export const SEV_TESTDATA = fileURLToPath(new URL('../../../../../shared/testdata/sev/', import.meta.url));

/** The absolute path of `path` under the SEV test data; throws if it is missing. */
export function sevPath(path: string): string {
  const file = join(SEV_TESTDATA, path);
  if (!existsSync(file)) throw new Error(`SEV test data not found: ${file} does not exist (the "shared" folder beside the repository)`);
  return file;
}

/** virtee-sev's legacy files. */
export const legacy = {
  builtin: (generation: string, which: 'ark' | 'ask') => sevPath(`virtee-sev/src/certs/sev/builtin/${generation}/${which}.cert`),
  platform: (generation: 'naples' | 'rome', which: 'pdh' | 'pek' | 'oca' | 'cek') => sevPath(`virtee-sev/tests/${generation}/${which}.cert`),
  dir: (generation: 'naples' | 'rome') => sevPath(`virtee-sev/tests/${generation}`),
};

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory holding `files` (name → bytes or text); removed after the file's tests. */
export function scratchDir(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sev-tool-test-'));
  scratch.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
