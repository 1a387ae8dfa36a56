/**
 * The built images: one kernel for the test VM and the guest, the module order that gives
 * /dev/kvm, and an L1 initramfs holding Node, QEMU, their libraries and firmware, and the guest.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureImages, hasPvhNote, type TestVmImages } from '../src/image/build.ts';
import { readCpio, type CpioRecord } from '../src/image/cpio.ts';
import { sharedLibraries } from '../src/image/libraries.ts';
import { moduleName } from '../src/image/modules.ts';
import { silentProgress } from '../src/progress.ts';

let images: TestVmImages;
let l1: Map<string, CpioRecord>;

beforeAll(async () => {
  images = await ensureImages();
  l1 = new Map(readCpio(readFileSync(images.l1Initramfs)).map((r) => [r.path, r]));
});

describe('images', () => {
  it('come from the versioned kernel package that linux-image-amd64 depends on', () => {
    const m = images.manifest;
    const kernel = m.packages.find((p) => p.role === 'kernel')!;
    expect(kernel.name).toBe(`linux-image-${m.kernelVersion}`);
    expect(kernel.name).toMatch(/^linux-image-\d+\.\d+\.\d+-\d+-amd64$/);
    expect(m.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['busybox-static', 'qemu-system-x86', 'seabios', 'qemu-system-data']));
  });

  it('use one kernel build for the test VM (vmlinux, PVH entry) and the guest (bzImage)', () => {
    const bz = readFileSync(images.kernel);
    expect(bz.toString('ascii', 0x202, 0x206)).toBe('HdrS');
    const versionAt = bz.readUInt16LE(0x20e) + 0x200;
    const bzVersion = bz.toString('ascii', versionAt, bz.indexOf(0, versionAt));
    const elf = readFileSync(images.l1Kernel);
    expect(hasPvhNote(elf)).toBe(true);
    expect(bzVersion.startsWith(images.manifest.kernelVersion + ' ')).toBe(true);
    // bzImage: "6.1.0-56-amd64 (debian-kernel@...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (date)";
    // vmlinux: "Linux version 6.1.0-56-amd64 (debian-kernel@...) (gcc-12 ...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (date)"
    const [, who, build] = /^(\S+ \([^)]*\)) (#.*)$/.exec(bzVersion)!;
    expect(elf.includes(`Linux version ${who} (`)).toBe(true);
    expect(elf.includes(`) ${build}`)).toBe(true);
  });

  it('load irqbypass, kvm, ccp, kvm-amd in that order, then virtio_pci and 9p', () => {
    const names = images.manifest.l1Modules.map(moduleName);
    expect(names.slice(0, 4)).toEqual(['irqbypass', 'kvm', 'ccp', 'kvm-amd']);
    expect(names).toEqual(expect.arrayContaining(['virtio_pci', '9pnet_virtio', '9p']));
    expect(names.indexOf('9pnet')).toBeLessThan(names.indexOf('9pnet_virtio'));
    const listed = l1.get('etc/testvm/modules')!.data.toString().trim().split('\n');
    expect(listed.map(moduleName)).toEqual(names);
    for (const path of listed) expect(l1.has(path.replace(/^\//, '')), path).toBe(true);
  });

  it('put Node with every library it needs, QEMU with its firmware, and the guest into the test VM', async () => {
    for (const path of ['init', 'usr/bin/node', 'usr/bin/qemu-system-x86_64', 'usr/bin/busybox', 'usr/bin/sh', 'dev/console']) expect(l1.has(path), path).toBe(true);
    for (const lib of await sharedLibraries('/usr/bin/node', 'test')) {
      const inImage = lib.path.replace(/^\/lib64\//, 'usr/lib64/').replace(/^\/(usr\/)?lib\//, 'usr/lib/');
      expect(l1.has(inImage), inImage).toBe(true);
    }
    for (const fw of ['usr/share/seabios/bios-256k.bin', 'usr/share/qemu/linuxboot_dma.bin', 'usr/share/qemu/kvmvapic.bin']) expect(l1.get(fw)?.data.length, fw).toBeGreaterThan(0);
    expect(l1.get('testvm/vmlinuz')!.data.equals(readFileSync(images.kernel))).toBe(true);
    expect(l1.get('testvm/guest-initramfs.cpio.gz')!.data.equals(readFileSync(images.guestInitramfs))).toBe(true);
  });

  it('are reused from the cache while nothing changed', async () => {
    const started = performance.now();
    const again = await ensureImages({ progress: silentProgress });
    expect(again.dir).toBe(images.dir);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
