/**
 * Debian packages through apt: `resolvePackages()` turns the package names testvm builds from into
 * exact candidate versions (resolving the `linux-image-amd64` metapackage to its versioned
 * `linux-image-6.1.0-*-amd64`), and `downloadPackages()` fetches missing ones with
 * `apt-get download` into the cache, named `<package>_<version>.deb`. If apt's lists do not know a
 * package yet, `apt-get update` runs once (as root) and the lookup is retried.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../host/exec.ts';
import { size, type Progress } from '../progress.ts';
import { ImageBuildError } from './errors.ts';

/** One resolved package: what apt will download. */
export interface DebPackage {
  /** the role in the image ("kernel", "busybox", ...) */
  role: PackageRole;
  name: string;
  version: string;
  /** download size in bytes, from the Packages index */
  size: number;
}

/** The packages the images are built from, by role. */
export const PACKAGE_ROLES = {
  /** resolved through the metapackage `linux-image-amd64` to `linux-image-<abi>-amd64` */
  kernel: 'linux-image-amd64',
  busybox: 'busybox-static',
  qemu: 'qemu-system-x86',
  /** bios-256k.bin (and vgabios-stdvga.bin) for QEMU inside the test VM */
  seabios: 'seabios',
  /** linuxboot_dma.bin and kvmvapic.bin for QEMU inside the test VM */
  qemuData: 'qemu-system-data',
} as const;

export type PackageRole = keyof typeof PACKAGE_ROLES;

const KERNEL_DEP = /^\s*Depends:\s*(linux-image-\d[\w.+-]*-amd64)\s*$/m;

/** Records of `apt-cache show --no-all-versions` (the candidate of each name), by package name. */
async function candidates(names: string[]): Promise<Map<string, { version: string; size: number }>> {
  const r = await exec('apt-cache', ['show', '--no-all-versions', ...names], { env: { ...process.env, LC_ALL: 'C' } });
  const found = new Map<string, { version: string; size: number }>();
  for (const record of r.stdout.split(/\n\s*\n/)) {
    const field = (f: string) => new RegExp(`^${f}: (.*)$`, 'm').exec(record)?.[1]?.trim();
    const name = field('Package');
    const version = field('Version');
    if (name !== undefined && version !== undefined && !found.has(name)) found.set(name, { version, size: Number(field('Size') ?? 0) });
  }
  return found;
}

/** `apt-get update` (as root only; returns false otherwise). */
export async function aptUpdate(progress: Progress, why = 'apt lists do not know every package yet'): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  await progress.step(`apt-get update (${why})`, async () => {
    const r = await exec('apt-get', ['update'], { env: { ...process.env, LC_ALL: 'C', DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.code !== 0) throw new ImageBuildError('apt-resolve', 'apt-get update', `apt-get update exited with ${r.code}`, { output: r.stderr });
  });
  return true;
}

/** The exact packages (name, candidate version, size) the images are built from right now. */
export async function resolvePackages(progress: Progress): Promise<DebPackage[]> {
  const step = 'resolve package versions';
  for (let attempt = 0; ; attempt++) {
    const depends = await exec('apt-cache', ['depends', PACKAGE_ROLES.kernel], { env: { ...process.env, LC_ALL: 'C' } });
    const kernel = KERNEL_DEP.exec(depends.stdout)?.[1];
    const names = { ...PACKAGE_ROLES, kernel: kernel ?? PACKAGE_ROLES.kernel };
    const found = kernel === undefined ? new Map() : await candidates(Object.values(names));
    const missing = Object.values(names).filter((n) => !found.has(n));
    if (kernel !== undefined && missing.length === 0) {
      return (Object.keys(names) as PackageRole[]).map((role) => ({ role, name: names[role], ...found.get(names[role])! }));
    }
    if (attempt === 0 && process.getuid?.() === 0) {
      await aptUpdate(progress);
      continue;
    }
    const what = kernel === undefined ? `${PACKAGE_ROLES.kernel} (no versioned linux-image-*-amd64 dependency)` : missing.join(', ');
    throw new ImageBuildError('apt-resolve', step, `apt knows no candidate for ${what}; run "apt-get update" (as root) and retry`, {
      pkg: kernel === undefined ? PACKAGE_ROLES.kernel : missing[0],
      output: depends.stderr,
    });
  }
}

/** The cache file name of a package: `<name>_<version>.deb`, with ':' (epochs) as '%3a' as apt does. */
export function debFileName(pkg: Pick<DebPackage, 'name' | 'version'>): string {
  return `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}.deb`;
}

/** Downloads the packages not already in `debDir`; returns each package's .deb path by role. */
export async function downloadPackages(pkgs: DebPackage[], debDir: string, progress: Progress): Promise<Record<PackageRole, string>> {
  mkdirSync(debDir, { recursive: true });
  const paths = Object.fromEntries(pkgs.map((p) => [p.role, join(debDir, debFileName(p))])) as Record<PackageRole, string>;
  const missing = pkgs.filter((p) => !existsSync(paths[p.role]));
  if (missing.length === 0) {
    progress.note(`packages cached: ${pkgs.map((p) => `${p.name} ${p.version}`).join(', ')}`);
    return paths;
  }
  const total = missing.reduce((n, p) => n + p.size, 0);
  const list = missing.map((p) => `${p.name} ${p.version} (${size(p.size)})`).join(', ');
  progress.note(`to download: ${list}`);
  await progress.step(`download ${missing.length} package(s), ${size(total)}`, async () => {
    const tmp = join(debDir, `.download-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      // As root, apt's _apt sandbox user cannot write into the cache folder; download as root instead.
      const sandbox = process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : [];
      const r = await exec('apt-get', [...sandbox, 'download', ...missing.map((p) => `${p.name}=${p.version}`)], {
        cwd: tmp,
        env: { ...process.env, LC_ALL: 'C' },
      });
      if (r.code !== 0) {
        throw new ImageBuildError('download', 'download packages', `apt-get download exited with ${r.code}`, {
          pkg: missing.map((p) => p.name).join(' '),
          output: r.stderr + r.stdout,
        });
      }
      const files = readdirSync(tmp);
      for (const p of missing) {
        const file = files.find((f) => f.startsWith(`${p.name}_`) && f.endsWith('.deb'));
        if (file === undefined) throw new ImageBuildError('download', 'download packages', 'apt-get download produced no .deb', { pkg: p.name, output: r.stdout });
        if (p.size > 0 && statSync(join(tmp, file)).size !== p.size) {
          throw new ImageBuildError('download', 'download packages', `size ${statSync(join(tmp, file)).size} differs from the index's ${p.size}`, { pkg: p.name });
        }
        renameSync(join(tmp, file), paths[p.role]);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
  return paths;
}

/** Deletes cached .deb files that are not among `keep` (older versions). */
export function pruneDebs(debDir: string, keep: DebPackage[]): void {
  if (!existsSync(debDir)) return;
  const wanted = new Set(keep.map(debFileName));
  for (const f of readdirSync(debDir)) if (f.endsWith('.deb') && !wanted.has(f)) rmSync(join(debDir, f), { force: true });
}
