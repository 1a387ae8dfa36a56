/**
 * Smoke tests on this machine's /dev/kvm (PVM here: tiny guests only, see
 * shared/notes/kvm-on-these-machines.md): a few real-mode instructions prove that the binding
 * creates a VM, memory, a vCPU and its kvm_run, and that IO exits travel through the worker loop to
 * the main thread and back (an IN answered on the main thread feeds the next OUT). A missing
 * /dev/kvm fails these tests (see test/support/kvm.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GuestMemory, Kvm, KvmError, type Vm } from '../src/kvm/index.ts';
import { KvmCap } from '../src/kvm_sys/constants.ts';
import { VcpuSet, type ExitHandler } from '../src/vcpu/thread.ts';
import { KVM_PATH, kvmOrFail, skipWithoutKvm } from './support/kvm.ts';

const CODE_AT = 0x1000;
const DATA_AT = 0x2000;

/** A real-mode program: `out 0x3f8,'H'; in al,0x3f8; inc al; out 0x3f8,al; rep outsb "hello" to 0x3f9; hlt`. */
const PROGRAM = new Uint8Array([
  0xba, 0xf8, 0x03, //       mov dx, 0x3f8
  0xb0, 0x48, //             mov al, 'H'
  0xee, //                   out dx, al
  0xec, //                   in al, dx
  0xfe, 0xc0, //             inc al
  0xee, //                   out dx, al
  0x42, //                   inc dx            (0x3f9)
  0xbe, 0x00, 0x20, //       mov si, 0x2000
  0xb9, 0x05, 0x00, //       mov cx, 5
  0xfc, //                   cld
  0xf3, 0x6e, //             rep outsb
  0xf4, //                   hlt
]);

/** `cli; hlt`: with the in-kernel irqchip the vCPU blocks inside KVM_RUN until kicked. */
const HALT_FOREVER = new Uint8Array([0xfa, 0xf4, 0xeb, 0xfd]);

interface Guest {
  kvm: Kvm;
  vm: Vm;
  memory: GuestMemory;
}

const open: Guest[] = [];
afterEach(() => {
  for (const g of open.splice(0)) {
    g.vm.close();
    g.kvm.close();
    g.memory.release();
  }
});

function realModeGuest(program: Uint8Array, options: { irqchip?: boolean } = {}) {
  const kvm = Kvm.open(KVM_PATH);
  const vm = kvm.createVm();
  const memory = GuestMemory.allocate([{ guestAddress: 0, size: 0x10000 }]);
  open.push({ kvm, vm, memory });
  memory.write(CODE_AT, program);
  memory.write(DATA_AT, new TextEncoder().encode('hello'));
  vm.mapMemory(memory);
  if (options.irqchip) {
    vm.setTssAddress(0xfffbd000);
    vm.createIrqchip();
    vm.createPit2();
  }
  const vcpu = vm.createVcpu(0);
  const sregs = vcpu.getSregs();
  sregs.cs.base = 0n;
  sregs.cs.selector = 0;
  sregs.ds.base = 0n;
  sregs.ds.selector = 0;
  vcpu.setSregs(sregs);
  const regs = vcpu.getRegs();
  regs.rip = BigInt(CODE_AT);
  regs.rflags = 2n;
  vcpu.setRegs(regs);
  return { kvm, vm, memory, vcpu };
}

describe.skipIf(skipWithoutKvm())('KVM smoke (this machine\'s /dev/kvm)', () => {
  it('has /dev/kvm', () => {
    kvmOrFail();
  });

  it('opens /dev/kvm at API version 12 with the capabilities the VMM needs', () => {
    kvmOrFail();
    const kvm = Kvm.open(KVM_PATH);
    try {
      kvm.requireExtensions(['IRQCHIP', 'HLT', 'USER_MEMORY', 'SET_TSS_ADDR', 'EXT_CPUID', 'PIT2', 'IMMEDIATE_EXIT']);
      expect(kvm.vcpuMmapSize()).toBeGreaterThanOrEqual(4096);
      expect(kvm.checkExtension(KvmCap.IRQCHIP)).toBeGreaterThan(0);
      const cpuid = kvm.supportedCpuid();
      expect(cpuid.some((e) => e.function === 0)).toBe(true);
    } finally {
      kvm.close();
    }
  });

  it('runs a real-mode guest whose IO exits are served on the main thread, in order', async () => {
    kvmOrFail();
    const { vcpu } = realModeGuest(PROGRAM);
    const seen: string[] = [];
    const handler: ExitHandler = {
      io(id, port, isOut, data) {
        if (isOut) seen.push(`out ${port.toString(16)} ${data[0]!.toString(16)}`);
        else {
          data[0] = 0x41;
          seen.push(`in ${port.toString(16)}`);
        }
        expect(id).toBe(0);
      },
      mmio() {
        throw new Error('no MMIO expected');
      },
    };
    const set = VcpuSet.start([vcpu], handler);
    const exit = await set.threads[0]!.exited;
    await set.stop();
    expect(exit).toEqual({ kind: 'hlt', vcpu: 0 });
    expect(seen).toEqual(['out 3f8 48', 'in 3f8', 'out 3f8 42', ...[...'hello'].map((c) => `out 3f9 ${c.charCodeAt(0).toString(16)}`)]);
    expect(vcpu.getRegs().rip).toBe(BigInt(CODE_AT + PROGRAM.length));
  });

  it('serves two vCPUs at once, each one\'s writes and reads in its own order', async () => {
    kvmOrFail();
    const kvm = Kvm.open(KVM_PATH);
    const vm = kvm.createVm();
    const memory = GuestMemory.allocate([{ guestAddress: 0, size: 0x10000 }]);
    open.push({ kvm, vm, memory });
    const n = 300;
    // vCPU i at 0x1000 + 0x100 i: mov dx, port; mov cx, n; l: out dx, al; inc al; loop l; in al, dx; out dx, al; hlt
    const program = (port: number) => new Uint8Array([0xba, port & 0xff, port >> 8, 0xb9, n & 0xff, n >> 8, 0xb0, 0x00, 0xee, 0xfe, 0xc0, 0xe2, 0xfb, 0xec, 0xee, 0xf4]);
    const ports = [0x3f8, 0x2f8];
    ports.forEach((port, i) => memory.write(0x1000 + 0x100 * i, program(port)));
    vm.mapMemory(memory);
    const vcpus = ports.map((_, i) => {
      const vcpu = vm.createVcpu(i);
      const sregs = vcpu.getSregs();
      sregs.cs.base = 0n;
      sregs.cs.selector = 0;
      vcpu.setSregs(sregs);
      const regs = vcpu.getRegs();
      regs.rip = BigInt(0x1000 + 0x100 * i);
      regs.rflags = 2n;
      vcpu.setRegs(regs);
      return vcpu;
    });
    const seen: number[][] = [[], []];
    const set = VcpuSet.start(vcpus, {
      io(id, port, isOut, data) {
        expect(port).toBe(ports[id]);
        if (isOut) seen[id]!.push(data[0]!);
        else data[0] = 0xa0 + id;
      },
      mmio() {},
    });
    const exits = await Promise.all(set.threads.map((t) => t.exited));
    await set.stop();
    expect(exits).toEqual([{ kind: 'hlt', vcpu: 0 }, { kind: 'hlt', vcpu: 1 }]);
    for (const id of [0, 1]) expect(seen[id]).toEqual([...Array.from({ length: n }, (_, k) => k & 0xff), 0xa0 + id]);
  });

  it('kicks a vCPU blocked in KVM_RUN (in-kernel irqchip, cli; hlt) and stops its worker', async () => {
    kvmOrFail();
    const { vcpu } = realModeGuest(HALT_FOREVER, { irqchip: true });
    const set = VcpuSet.start([vcpu], { io() {}, mmio() {} });
    await new Promise((r) => setTimeout(r, 300));
    const exits = await set.stop();
    expect(exits).toEqual([{ kind: 'stopped', vcpu: 0 }]);
  });

  it('gives a typed error for a failing ioctl', () => {
    kvmOrFail();
    const kvm = Kvm.open(KVM_PATH);
    const vm = kvm.createVm();
    try {
      vm.createVcpu(0);
      const error = (() => {
        try {
          vm.createVcpu(0);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(KvmError);
      expect(error).toMatchObject({ kind: 'ioctl', operation: 'KVM_CREATE_VCPU', code: 'EEXIST' });
    } finally {
      vm.close();
      kvm.close();
    }
  });
});

describe('without a KVM device', () => {
  it('Kvm.open names the missing device', () => {
    expect(() => Kvm.open('/nonexistent/kvm')).toThrow(KvmError);
    try {
      Kvm.open('/nonexistent/kvm');
    } catch (e) {
      expect(e).toMatchObject({ kind: 'unavailable', code: 'ENOENT' });
      expect((e as Error).message).toMatch(/no KVM/);
    }
  });
});
