/**
 * Running host tools: `exec()` spawns a program without a shell and gathers its output, and
 * `findTool()` looks a program up on PATH. Every host tool testvm needs is named in `HOST_TOOLS`
 * with the Debian package that provides it, so a missing one is reported with the fix.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A finished process. */
export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs `program args...` (no shell), collecting stdout and stderr; never rejects on a non-zero exit. */
export function exec(program: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** The first executable `name` on PATH (plus the sbin folders, which a non-login root shell may lack). */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Host tools testvm uses, each with the Debian package that provides it (installed by scripts/setup). */
export const HOST_TOOLS = {
  'apt-get': 'apt',
  'apt-cache': 'apt',
  'dpkg-deb': 'dpkg',
  depmod: 'kmod',
  modprobe: 'kmod',
  ldd: 'libc-bin',
  xz: 'xz-utils',
  'qemu-system-x86_64': 'qemu-system-x86',
} as const;

export type HostTool = keyof typeof HOST_TOOLS;

/** The tools of `wanted` that are not on PATH. */
export function missingTools(wanted: readonly HostTool[]): HostTool[] {
  return wanted.filter((tool) => findTool(tool) === undefined);
}
