/**
 * Shared libraries of a dynamically linked program, from `ldd`, so the program runs inside the test
 * VM: Node (the host's own /usr/bin/node) and QEMU (the binary from the qemu-system-x86 package,
 * whose libraries come from the host, where scripts/setup installed the same package).
 */
import { realpathSync } from 'node:fs';
import { exec } from '../host/exec.ts';
import { ImageBuildError } from './errors.ts';

/** One library: the path the program asks for and the file that holds it on the host. */
export interface SharedLibrary {
  /** the path the dynamic loader looks at, e.g. /lib/x86_64-linux-gnu/libc.so.6 */
  path: string;
  /** the real file on the host (symlinks followed) */
  source: string;
}

/** Every library `ldd binary` lists, including the dynamic loader; [] for a static binary. */
export async function sharedLibraries(binary: string, step: string): Promise<SharedLibrary[]> {
  const r = await exec('ldd', [binary], { env: { ...process.env, LC_ALL: 'C' } });
  const text = r.stdout + r.stderr;
  if (/not a dynamic executable|statically linked/.test(text)) return [];
  if (r.code !== 0) throw new ImageBuildError('libraries', step, `ldd exited with ${r.code}`, { file: binary, output: text });
  const libs: SharedLibrary[] = [];
  for (const line of r.stdout.split('\n')) {
    const notFound = /^\s*(\S+) => not found/.exec(line);
    if (notFound !== null) {
      throw new ImageBuildError('libraries', step, `${notFound[1]} not found on the host (install the package that provides it; scripts/setup installs qemu-system-x86)`, { file: binary });
    }
    const m = /=> (\/\S+) \(/.exec(line) ?? /^\s*(\/\S+) \(/.exec(line);
    if (m === null) continue; // linux-vdso.so.1
    const path = m[1]!;
    libs.push({ path, source: realpathSync(path) });
  }
  return libs;
}
