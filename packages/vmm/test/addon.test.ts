/**
 * The native addon's mapping registry, without KVM: guest memory allocated on the main thread is
 * seen, without copies, by a worker thread that attaches its own view by handle; the addon's errors
 * are negative errno values; unmapping is deferred while views exist; thread placement.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GuestMemory } from '../src/kvm/memory.ts';
import { addonCandidates, nativeKvm } from '../src/native/addon.ts';

const ADDON = addonCandidates().find((p) => p.includes('native/build/Release'))!;

describe('the KVM addon without KVM', () => {
  it('shares guest memory with a worker by handle, both ways, without copying', async () => {
    const memory = GuestMemory.allocate([{ guestAddress: 0, size: 4 << 20 }]);
    memory.writeU32(0x1000, 0xdeadbeef);
    const [region] = memory.descriptors();
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.addon);
      const view = new DataView(addon.view(workerData.handle));
      const seen = view.getUint32(0x1000, true);
      view.setUint32(0x2000, 0x12345678, true);
      parentPort.postMessage({ seen, address: addon.address(workerData.handle) });`;
    const worker = new Worker(code, { eval: true, workerData: { addon: ADDON, handle: region!.handle } });
    const reply = await new Promise<{ seen: number; address: bigint }>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(reply.seen).toBe(0xdeadbeef);
    expect(memory.readU32(0x2000)).toBe(0x12345678);
    expect(reply.address).toBe(memory.hostAddress(memory.regions[0]!));
    expect(reply.address % (2n << 20n)).toBe(0n); // 2 MiB-aligned for huge pages
    memory.release();
  });

  it('returns -errno instead of throwing, and refuses released handles', () => {
    const native = nativeKvm();
    expect(native.open('/nonexistent', 2)).toBe(-2); // ENOENT
    expect(native.ioctl(-1, 0xae00)).toBe(-9); // EBADF
    const handle = native.mmap(4096, 3, 0x22, -1, 0);
    expect(handle).toBeGreaterThan(0);
    expect(native.unmap(handle)).toBe(0);
    expect(native.unmap(handle)).toBe(-9);
    expect(() => native.view(handle)).toThrow(/no such mapping/);
    expect(native.mmap(4096, 3, 0x22, -1, 0, 3)).toBe(-22); // align must be a power of two
  });

  it('reports and sets thread affinity', () => {
    const native = nativeKvm();
    const cpus = native.getAffinity(0);
    expect(Array.isArray(cpus) && cpus.length).toBeGreaterThan(0);
    expect(native.setAffinity(0, cpus as number[])).toBe(0);
    expect(native.gettid()).toBeGreaterThan(0);
  });
});
