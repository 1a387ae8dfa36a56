/**
 * Builds and caches testvm's images from Debian packages (`ensureImages()`):
 *
 * - `vmlinuz`: the kernel of the current `linux-image-amd64` (e.g. linux-image-6.1.0-56-amd64):
 *   the bzImage the VMM under test boots (L2);
 * - `vmlinux`: the same kernel uncompressed (the ELF inside the bzImage), which starts the test VM
 *   (L1) through QEMU's PVH entry: under TCG that skips SeaBIOS's real-mode boot and the xz
 *   decompressor, about 8 s per boot (measured: 13-16 s instead of 21-22 s to power-off);
 * - `guest-initramfs.cpio.gz`: busybox-static, a few virtio/crypto modules and the checking
 *   `/init` of `guest-init.sh` (the contract is in the README and `src/guest/contract.ts`);
 * - `testvm-l1.cpio`: the test VM's initramfs, uncompressed (under TCG the kernel unpacks it faster
 *   than it gunzips it): busybox, the kvm-amd/9p/virtio_pci modules, this machine's Node with its
 *   libraries, QEMU with its libraries and firmware, the guest files under /testvm, `l1-init.sh`.
 *
 * Images live in `<cache>/images/<kernel>-<key>/`, the key hashing the package versions, this
 * folder's sources (so a changed builder rebuilds) and the identity of the host's Node and its
 * libraries. One process builds at a time (a lock folder); a build writes to a temporary folder
 * and renames it into place; then older images and .deb files are pruned.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { exec, findTool, HOST_TOOLS, missingTools, type HostTool } from '../host/exec.ts';
import { defaultCacheDir, SRC_DIR } from '../paths.ts';
import { consoleProgress, seconds, size, type Progress } from '../progress.ts';
import { aptUpdate, downloadPackages, pruneDebs, resolvePackages, type DebPackage, type PackageRole } from './apt.ts';
import { InitramfsTree, writeCpio } from './cpio.ts';
import { extractDeb, resolveInRoot } from './deb.ts';
import { ImageBuildError } from './errors.ts';
import { sharedLibraries, type SharedLibrary } from './libraries.ts';
import { depmod, loadOrder, moduleName } from './modules.ts';

/** Modules the test VM loads at boot, in this order of requests: KVM first, then the 9p share. */
export const L1_MODULES = ['kvm-amd', 'virtio_pci', '9pnet_virtio', '9p'] as const;

/**
 * Modules in the guest initramfs, loaded only when named in `testvm.modules=` (with their
 * dependencies): virtio over PCI and its devices, and AF_ALG with tcrypt for crypto tests.
 */
export const GUEST_MODULES = [
  'virtio_pci',
  'virtio_rng',
  'virtio_blk',
  'virtio_net',
  'virtio_console',
  'virtio_crypto',
  'af_alg',
  'algif_hash',
  'algif_skcipher',
  'algif_aead',
  'algif_rng',
  'crypto_user',
  'tcrypt',
] as const;

/** QEMU firmware the test VM needs for `qemu-system-x86_64 -nic none` (package role, path in the package). */
const QEMU_FIRMWARE = [
  ['seabios', '/usr/share/seabios/bios-256k.bin'],
  ['seabios', '/usr/share/seabios/vgabios-stdvga.bin'],
  ['qemuData', '/usr/share/qemu/linuxboot_dma.bin'],
  ['qemuData', '/usr/share/qemu/kvmvapic.bin'],
  // for `-kernel <ELF vmlinux>` (the PVH entry), as the test VM itself is started
  ['qemuData', '/usr/share/qemu/pvh.bin'],
] as const;

const HOST_TOOLS_FOR_BUILD: HostTool[] = ['apt-get', 'apt-cache', 'dpkg-deb', 'depmod', 'modprobe', 'ldd', 'xz'];

/** The built images; every path is absolute. */
export interface TestVmImages {
  /** the image folder */
  dir: string;
  /** the bzImage: the kernel the VMM under test boots (L2); /testvm/vmlinuz in the test VM */
  kernel: string;
  /** the same kernel as an ELF vmlinux, which starts the test VM (L1) */
  l1Kernel: string;
  /** the guest (L2) initramfs with the checking /init; /testvm/guest-initramfs.cpio.gz in the test VM */
  guestInitramfs: string;
  /** the test VM (L1) initramfs */
  l1Initramfs: string;
  manifest: ImageManifest;
}

/** `manifest.json` of an image folder. */
export interface ImageManifest {
  key: string;
  kernelVersion: string;
  packages: DebPackage[];
  node: { path: string; version: string; stripped: boolean };
  /** module files in load order, relative to the package root ("lib/modules/<version>/kernel/...") */
  l1Modules: string[];
  guestModules: string[];
  sizes: { kernel: number; l1Kernel: number; guestInitramfs: number; l1Initramfs: number };
  builtAt: string;
  buildMs: number;
}

export interface EnsureImagesOptions {
  /** default: `<workspace>/.cache/testvm` (or TESTVM_CACHE) */
  cacheDir?: string;
  /** default: progress lines on stderr */
  progress?: Progress;
  /** rebuild even when an image with the same key exists */
  force?: boolean;
}

/** A hash of every file of the builder (this folder), so any change to it makes a new key. */
function builderHash(): string {
  const hash = createHash('sha256');
  const dir = join(SRC_DIR, 'image');
  for (const f of readdirSync(dir).sort()) {
    hash.update(f + '\0');
    hash.update(readFileSync(join(dir, f)));
  }
  return hash.digest('hex');
}

/** The Node binary put into the test VM: this machine's /usr/bin/node, else the running one. */
function nodeBinary(): string {
  return existsSync('/usr/bin/node') ? '/usr/bin/node' : realpathSync(process.execPath);
}

function identity(path: string): string {
  const st = statSync(path);
  return `${path}:${st.size}:${Math.trunc(st.mtimeMs)}`;
}

/**
 * Builds the images if no image with the current key exists; returns their paths. If a download
 * fails (apt's lists name a version the mirror no longer has), runs `apt-get update` and tries
 * once more with the new versions.
 */
export async function ensureImages(options: EnsureImagesOptions = {}): Promise<TestVmImages> {
  const progress = options.progress ?? consoleProgress();
  try {
    return await ensureImagesOnce(options, progress);
  } catch (error) {
    if (!(error instanceof ImageBuildError && error.code === 'download')) throw error;
    if (!(await aptUpdate(progress, 'a download failed; the lists may be old'))) throw error;
    return await ensureImagesOnce(options, progress);
  }
}

async function ensureImagesOnce(options: EnsureImagesOptions, progress: Progress): Promise<TestVmImages> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();

  const missing = missingTools(HOST_TOOLS_FOR_BUILD);
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => HOST_TOOLS[t]))].join(' ');
    throw new ImageBuildError('missing-tool', 'check host tools', `${missing.join(', ')} not found; install with "apt-get install ${pkgs}" (bash scripts/setup does)`, { pkg: pkgs });
  }

  const packages = await resolvePackages(progress);
  const kernelPkg = packages.find((p) => p.role === 'kernel')!;
  const kernelVersion = kernelPkg.name.replace(/^linux-image-/, '');
  const node = nodeBinary();
  const nodeLibs = await sharedLibraries(node, 'libraries of node');
  const key = createHash('sha256')
    .update(JSON.stringify({ builder: builderHash(), packages: packages.map((p) => `${p.name}=${p.version}`), node: identity(node), nodeLibs: nodeLibs.map((l) => identity(l.source)) }))
    .digest('hex')
    .slice(0, 16);

  const imagesDir = join(cacheDir, 'images');
  const dir = join(imagesDir, `${kernelVersion}-${key}`);
  const found = readImages(dir);
  if (found !== undefined && options.force !== true) {
    progress.note(`images up to date: ${dir}`);
    return found;
  }

  mkdirSync(imagesDir, { recursive: true });
  const lock = `${dir}.lock`;
  await acquireLock(lock, progress);
  try {
    const other = readImages(dir);
    if (other !== undefined && options.force !== true) {
      progress.note(`images built by another process: ${dir}`);
      return other;
    }
    await buildImages({ dir, cacheDir, key, kernelVersion, packages, node, nodeLibs, progress });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  pruneImages(imagesDir, dir);
  pruneDebs(join(cacheDir, 'debs'), packages);
  return readImages(dir)!;
}

interface BuildRequest {
  dir: string;
  cacheDir: string;
  key: string;
  kernelVersion: string;
  packages: DebPackage[];
  node: string;
  nodeLibs: SharedLibrary[];
  progress: Progress;
}

/** Downloads, extracts and packs; writes the image folder `req.dir` (via a temporary folder). */
async function buildImages(req: BuildRequest): Promise<void> {
  const { dir, key, kernelVersion, packages, node, progress } = req;
  const started = performance.now();
  const pkg = (role: PackageRole) => packages.find((p) => p.role === role)!.name;
  progress.note(`building images for ${pkg('kernel')} (key ${key}) in ${dir}`);
  const debs = await downloadPackages(packages, join(req.cacheDir, 'debs'), progress);
  const work = join(req.cacheDir, `work-${process.pid}`);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const roots = { kernel: join(work, 'kernel'), busybox: join(work, 'busybox'), qemu: join(work, 'qemu'), guestModules: join(work, 'guest-modules') };
  try {
    await progress.step('extract packages (dpkg-deb -x)', async () => {
      await extractDeb(debs.kernel, roots.kernel, pkg('kernel'));
      await extractDeb(debs.busybox, roots.busybox, pkg('busybox'));
      for (const role of ['qemu', 'seabios', 'qemuData'] as const) await extractDeb(debs[role], roots.qemu, pkg(role));
    });

    const modules = await progress.step(
      'module load order (depmod, modprobe --show-depends)',
      async () => {
        await depmod(roots.kernel, kernelVersion);
        return { l1: await loadOrder(roots.kernel, kernelVersion, L1_MODULES), guest: await loadOrder(roots.kernel, kernelVersion, GUEST_MODULES) };
      },
      (m) => `test VM: ${m.l1.map(moduleName).join(', ')}; guest: ${m.guest.length} modules`,
    );

    const kernelFile = join(staging, 'vmlinuz');
    writeFileSync(kernelFile, readFileSync(resolveInRoot(roots.kernel, `/boot/vmlinuz-${kernelVersion}`, pkg('kernel'))));
    const l1KernelFile = join(staging, 'vmlinux');
    await progress.step('test VM kernel (vmlinux from the bzImage, xz -d)', () => extractVmlinux(kernelFile, l1KernelFile, pkg('kernel')), (bytes) => size(bytes));

    const busybox = resolveInRoot(roots.busybox, '/bin/busybox', pkg('busybox'));
    const applets = busyboxApplets(busybox);

    const guestFile = join(staging, 'guest-initramfs.cpio.gz');
    await progress.step(
      'guest initramfs',
      async () => {
        // A module tree with only the guest modules, indexed by depmod for busybox modprobe.
        const modRoot = roots.guestModules;
        for (const rel of modules.guest) {
          mkdirSync(dirname(join(modRoot, rel)), { recursive: true });
          writeFileSync(join(modRoot, rel), readFileSync(join(roots.kernel, rel)));
        }
        for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) {
          const from = join(roots.kernel, 'lib/modules', kernelVersion, f);
          if (existsSync(from)) writeFileSync(join(modRoot, 'lib/modules', kernelVersion, f), readFileSync(from));
        }
        await depmod(modRoot, kernelVersion);
        const tree = baseTree();
        tree.file('bin/busybox', { path: busybox }, 0o755);
        for (const applet of applets) tree.symlink(`bin/${applet}`, 'busybox');
        tree.symlink('sbin', 'bin');
        addFolder(tree, join(modRoot, 'lib/modules'), 'lib/modules');
        tree.file('init', readFileSync(join(SRC_DIR, 'image', 'guest-init.sh')), 0o755);
        const raw = join(work, 'guest-initramfs.cpio');
        writeCpio(tree, raw);
        writeFileSync(guestFile, gzipSync(readFileSync(raw), { level: 9 }));
        return statSync(guestFile).size;
      },
      (bytes) => size(bytes),
    );

    const l1File = join(staging, 'testvm-l1.cpio');
    let stripped = false;
    await progress.step(
      'test VM initramfs (node, qemu, modules)',
      async () => {
        const tree = baseTree();
        // Mirror the host's merged-/usr symlinks (/lib -> usr/lib ...) so library paths from ldd work.
        const binDir = mirrorRootLinks(tree);
        const qemu = resolveInRoot(roots.qemu, '/usr/bin/qemu-system-x86_64', pkg('qemu'));
        const libs: SharedLibrary[] = [...req.nodeLibs, ...(await sharedLibraries(qemu, 'libraries of qemu-system-x86_64'))];
        // Node ships with debug info (99 MB); stripped it is 13 MB smaller, which the VM unpacks at every boot.
        let nodeFile = node;
        const strip = findTool('strip');
        if (strip !== undefined && (await exec(strip, ['-o', join(work, 'node'), node])).code === 0) {
          nodeFile = join(work, 'node');
          stripped = true;
        }
        tree.file(`${binDir}/node`, { path: nodeFile }, 0o755);
        tree.file(`${binDir}/qemu-system-x86_64`, { path: qemu }, 0o755);
        tree.file(`${binDir}/busybox`, { path: busybox }, 0o755);
        for (const applet of applets) if (!tree.has(`${binDir}/${applet}`)) tree.symlink(`${binDir}/${applet}`, 'busybox');
        for (const lib of libs) tree.file(canonical(lib.path), { path: lib.source }, 0o755);
        for (const [role, path] of QEMU_FIRMWARE) tree.file(path, { path: resolveInRoot(roots.qemu, path, pkg(role)) });
        for (const rel of modules.l1) tree.file(canonical('/' + rel), { path: join(roots.kernel, rel) });
        tree.file('etc/testvm/modules', modules.l1.map((rel) => `/${canonical('/' + rel)}\n`).join(''));
        tree.file('testvm/vmlinuz', { path: kernelFile });
        tree.file('testvm/guest-initramfs.cpio.gz', { path: guestFile });
        tree.dir('job');
        tree.file('init', readFileSync(join(SRC_DIR, 'image', 'l1-init.sh')), 0o755);
        return writeCpio(tree, l1File);
      },
      (bytes) => size(bytes),
    );

    const manifest: ImageManifest = {
      key,
      kernelVersion,
      packages,
      node: { path: node, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim(), stripped },
      l1Modules: modules.l1,
      guestModules: modules.guest,
      sizes: { kernel: statSync(kernelFile).size, l1Kernel: statSync(l1KernelFile).size, guestInitramfs: statSync(guestFile).size, l1Initramfs: statSync(l1File).size },
      builtAt: new Date().toISOString(),
      buildMs: Math.round(performance.now() - started),
    };
    writeFileSync(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    progress.note(
      `images built in ${seconds(manifest.buildMs)}: kernel ${size(manifest.sizes.kernel)} (vmlinux ${size(manifest.sizes.l1Kernel)}), ` +
        `guest initramfs ${size(manifest.sizes.guestInitramfs)}, test VM initramfs ${size(manifest.sizes.l1Initramfs)}`,
    );
  } catch (error) {
    if (error instanceof ImageBuildError) throw error;
    throw new ImageBuildError('write', 'build images', error instanceof Error ? error.message : String(error), { cause: error });
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Waits until this process holds `lock` (a folder: mkdir is atomic), so concurrent callers (test
 * files, a CLI) build once. A lock older than 15 minutes is a leftover of a killed build.
 */
async function acquireLock(lock: string, progress: Progress): Promise<void> {
  let told = false;
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
    } catch {
      continue; // released meanwhile
    }
    if (!told) progress.note(`waiting for another build (${lock})`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The images in `dir`, if it holds a complete build. */
export function readImages(dir: string): TestVmImages | undefined {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as ImageManifest;
  const images = {
    dir,
    kernel: join(dir, 'vmlinuz'),
    l1Kernel: join(dir, 'vmlinux'),
    guestInitramfs: join(dir, 'guest-initramfs.cpio.gz'),
    l1Initramfs: join(dir, 'testvm-l1.cpio'),
    manifest,
  };
  return [images.kernel, images.l1Kernel, images.guestInitramfs, images.l1Initramfs].every((f) => existsSync(f)) ? images : undefined;
}

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

/**
 * Writes the ELF vmlinux inside a bzImage (Debian's are xz-compressed, CONFIG_KERNEL_XZ) to `out`,
 * checking it is an ELF with a PVH note (Xen ELF note type 18, XEN_ELFNOTE_PHYS32_ENTRY) so QEMU can
 * start it directly. Returns its size.
 */
async function extractVmlinux(bzImage: string, out: string, pkg: string): Promise<number> {
  const image = readFileSync(bzImage);
  const at = image.indexOf(XZ_MAGIC);
  if (at < 0) throw new ImageBuildError('extract', 'test VM kernel', 'no xz stream in the bzImage (is the kernel not CONFIG_KERNEL_XZ?)', { pkg, file: bzImage });
  const payload = `${out}.xz`;
  writeFileSync(payload, image.subarray(at));
  // --single-stream: the bzImage has more data after the xz stream
  const r = await exec('sh', ['-c', 'xz -dc --single-stream "$1" > "$2"', 'sh', payload, out]);
  rmSync(payload, { force: true });
  if (r.code !== 0) throw new ImageBuildError('extract', 'test VM kernel', `xz -d exited with ${r.code}`, { pkg, file: bzImage, output: r.stderr });
  const elf = readFileSync(out);
  if (elf.readUInt32BE(0) !== 0x7f454c46) throw new ImageBuildError('extract', 'test VM kernel', 'the bzImage payload is not an ELF file', { pkg, file: bzImage });
  if (!hasPvhNote(elf)) throw new ImageBuildError('extract', 'test VM kernel', 'vmlinux has no PVH entry note (CONFIG_PVH); QEMU could not start it directly', { pkg, file: bzImage });
  return elf.length;
}

/** Whether an ELF64 file has a Xen ELF note of type 18 (PVH entry) in a PT_NOTE segment. */
export function hasPvhNote(elf: Buffer): boolean {
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    const offset = Number(elf.readBigUInt64LE(ph + 8));
    const end = offset + Number(elf.readBigUInt64LE(ph + 32));
    for (let n = offset; n + 12 <= end; ) {
      const namesz = elf.readUInt32LE(n);
      const descsz = elf.readUInt32LE(n + 4);
      const type = elf.readUInt32LE(n + 8);
      const name = elf.toString('ascii', n + 12, n + 12 + namesz).replace(/\0+$/, '');
      if (name === 'Xen' && type === 18) return true;
      n += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** Directories and device nodes both initramfs images start with. */
function baseTree(): InitramfsTree {
  const tree = new InitramfsTree();
  for (const d of ['proc', 'sys', 'dev', 'root', 'etc']) tree.dir(d);
  tree.dir('tmp', 0o1777);
  tree.chardev('dev/console', 5, 1);
  tree.chardev('dev/null', 1, 3, 0o666);
  tree.file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\n');
  tree.file('etc/group', 'root:x:0:\n');
  return tree;
}

/** Recreates the host's top-level symlinks (bin, sbin, lib, lib64 → usr/...); returns where programs go. */
function mirrorRootLinks(tree: InitramfsTree): string {
  for (const name of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    const host = `/${name}`;
    if (!existsSync(host) || !lstatSync(host).isSymbolicLink()) continue;
    const target = readlinkSync(host);
    tree.symlink(name, target);
    if (!target.startsWith('/')) tree.dir(target);
  }
  return canonical('/bin/x').replace(/\/x$/, '');
}

/** A host path with its folder's symlinks resolved, relative to the root ("/lib/x/libc.so.6" → "usr/lib/x/libc.so.6"). */
function canonical(path: string): string {
  let dir = dirname(path);
  try {
    dir = realpathSync(dir);
  } catch {
    // a folder the host does not have (kernel modules): keep it, resolving only the first component
    const [first, ...rest] = dir.split('/').filter((s) => s !== '');
    if (first !== undefined && existsSync(`/${first}`)) dir = join(realpathSync(`/${first}`), ...rest);
  }
  return join(dir, basename(path)).replace(/^\/+/, '');
}

/** The applet names of a busybox binary (`busybox --list`). */
function busyboxApplets(busybox: string): string[] {
  return execFileSync(busybox, ['--list'], { encoding: 'utf8' })
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => /^[\w.[\]-]+$/.test(s) && s !== 'busybox');
}

/** Adds a host folder's files (recursively) under `prefix`. */
function addFolder(tree: InitramfsTree, hostDir: string, prefix: string): void {
  for (const entry of readdirSync(hostDir, { withFileTypes: true })) {
    const host = join(hostDir, entry.name);
    const inImage = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) addFolder(tree, host, inImage);
    else if (entry.isSymbolicLink()) tree.symlink(inImage, readlinkSync(host));
    else tree.file(inImage, { path: host });
  }
}

/** Keeps the newest image (`keep`) and removes other finished images and stale temporary folders. */
function pruneImages(imagesDir: string, keep: string): void {
  for (const name of readdirSync(imagesDir)) {
    const path = join(imagesDir, name);
    if (path === keep) continue;
    const stale = name.includes('.tmp-') || name.endsWith('.lock') ? Date.now() - statSync(path).mtimeMs > 3600_000 : true;
    if (stale) rmSync(path, { recursive: true, force: true });
  }
}
