/**
 * Where testvm keeps things: the workspace root (the folder with pnpm-workspace.yaml above this
 * file) and the cache folder `<root>/.cache/testvm/` (ignored by git; `TESTVM_CACHE` overrides it).
 *
 *   .cache/testvm/debs/          downloaded Debian packages, named <package>_<version>.deb
 *   .cache/testvm/images/<key>/  built images, one folder per key (package versions + builder hash)
 *   .cache/testvm/runs/<id>/     one folder per test VM run, shared with the VM over 9p; removed after
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of this package's `src/`. */
export const SRC_DIR = dirname(fileURLToPath(import.meta.url));

/** The workspace root: the nearest folder above this package holding pnpm-workspace.yaml. */
export function workspaceRoot(): string {
  let dir = SRC_DIR;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(SRC_DIR, '../../..');
    dir = parent;
  }
}

/** The cache folder: `TESTVM_CACHE`, else `<workspace root>/.cache/testvm`. */
export function defaultCacheDir(): string {
  const fromEnv = process.env['TESTVM_CACHE'];
  return fromEnv !== undefined && fromEnv !== '' ? resolve(fromEnv) : join(workspaceRoot(), '.cache', 'testvm');
}

/** The guest kernel (bzImage) inside the test VM; the same file as `TestVmImages.kernel`. */
export const GUEST_KERNEL_IN_VM = '/testvm/vmlinuz';
/** The guest initramfs inside the test VM; the same file as `TestVmImages.guestInitramfs`. */
export const GUEST_INITRAMFS_IN_VM = '/testvm/guest-initramfs.cpio.gz';
