/**
 * Micro-benchmark of the exit path: a real-mode guest executes N `out` (or `in`) instructions to a
 * port; every one is a KVM_EXIT_IO. Modes:
 *   direct   KVM_RUN and the handling on the main thread, no worker (the floor: KVM's own cost)
 *   worker   the VMM's path: the vCPU worker hands each exit to the main thread (channel.ts)
 * Prints the cost per exit, timed from the first exit to the last (worker start-up excluded).
 * Runs on any /dev/kvm (PVM here; in the test VM through bench/_l1exp.mts).
 *
 *   pnpm exec tsx packages/vmm/bench/exits.bench.ts [N] [direct|worker|both] [out|in]
 */
import { GuestMemory, Kvm } from '../src/kvm/index.ts';
import { KvmExit } from '../src/kvm_sys/constants.ts';
import { VcpuSet } from '../src/vcpu/thread.ts';

const n = Number(process.argv[2] ?? 20000);
const mode = process.argv[3] ?? 'both';
const op = process.argv[4] === 'in' ? 0xec : 0xee;

function guest() {
  const kvm = Kvm.open();
  const vm = kvm.createVm();
  const memory = GuestMemory.allocate([{ guestAddress: 0, size: 0x10000 }]);
  // mov ecx, n; mov dx, 0x3f8; l: out dx, al (or in al, dx); dec ecx; jnz l; hlt   (real mode)
  const program = new Uint8Array([0x66, 0xb9, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff, 0xba, 0xf8, 0x03, op, 0x66, 0x49, 0x75, 0xfb, 0xf4]);
  memory.write(0x1000, program);
  vm.mapMemory(memory);
  const vcpu = vm.createVcpu(0);
  const sregs = vcpu.getSregs();
  sregs.cs.base = 0n;
  sregs.cs.selector = 0;
  vcpu.setSregs(sregs);
  const regs = vcpu.getRegs();
  regs.rip = 0x1000n;
  regs.rflags = 2n;
  vcpu.setRegs(regs);
  return { kvm, vm, vcpu };
}

function report(name: string, exits: number, ms: number) {
  console.log(`${name.padEnd(6)} ${exits} IO exits in ${ms.toFixed(0)} ms: ${((exits / ms) * 1000).toFixed(0)} exits/s, ${((ms * 1000) / exits).toFixed(1)} µs per exit`);
}

if (mode === 'direct' || mode === 'both') {
  const { kvm, vm, vcpu } = guest();
  let exits = 0;
  let first = 0;
  while (vcpu.run() === KvmExit.IO) {
    if (exits++ === 0) first = performance.now();
  }
  report('direct', exits - 1, performance.now() - first);
  vm.close();
  kvm.close();
}

if (mode === 'worker' || mode === 'both') {
  const { kvm, vm, vcpu } = guest();
  let exits = 0;
  let first = 0;
  const set = VcpuSet.start([vcpu], {
    io: () => {
      if (exits++ === 0) first = performance.now();
    },
    mmio: () => {},
  });
  const exit = await set.threads[0]!.exited;
  const ms = performance.now() - first;
  await set.stop();
  if (exit.kind !== 'hlt') throw new Error(`unexpected exit ${exit.kind}`);
  report('worker', exits - 1, ms);
  vm.close();
  kvm.close();
}
