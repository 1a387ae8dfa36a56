/**
 * Unpacking Debian packages: `extractDeb()` runs `dpkg-deb -x` into a folder, and
 * `resolveInRoot()` follows symlinks inside such a folder (absolute links are relative to it, not
 * to the host), so files are taken from the package and never from the host by accident.
 */
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { exec } from '../host/exec.ts';
import { ImageBuildError } from './errors.ts';

/** `dpkg-deb -x deb dest`. */
export async function extractDeb(deb: string, dest: string, pkg: string): Promise<void> {
  mkdirSync(dest, { recursive: true });
  const r = await exec('dpkg-deb', ['-x', deb, dest]);
  if (r.code !== 0) throw new ImageBuildError('extract', `extract ${pkg}`, `dpkg-deb -x exited with ${r.code}`, { pkg, file: deb, output: r.stderr });
}

/** The real file behind `path` (absolute inside the package, e.g. "/usr/share/qemu/x.bin") in `root`. */
export function resolveInRoot(root: string, path: string, pkg: string): string {
  let current = posix.normalize(path);
  for (let hops = 0; hops < 40; hops++) {
    const onHost = join(root, current);
    let st;
    try {
      st = lstatSync(onHost);
    } catch {
      throw new ImageBuildError('extract', `find ${path}`, `${path} is not in the package`, { pkg, file: path });
    }
    if (!st.isSymbolicLink()) return onHost;
    const target = readlinkSync(onHost);
    current = target.startsWith('/') ? posix.normalize(target) : posix.join(posix.dirname(current), target);
  }
  throw new ImageBuildError('extract', `find ${path}`, 'too many symlinks', { pkg, file: path });
}

/** `path` relative to `root`, as an absolute in-image path ("/lib/modules/..."). */
export function inImagePath(root: string, path: string): string {
  return '/' + relative(root, path).split(/[\\/]/).join('/');
}

