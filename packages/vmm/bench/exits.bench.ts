/**
 * Micro-benchmark of the exit path: a real-mode guest executes N `out` (or `in`) instructions to a
 * port; every one is a KVM_EXIT_IO. Modes:
 *   direct   KVM_RUN and the handling on the main thread, no worker (the floor: KVM's own cost)
 *   local    the VMM's path for its devices: the vCPU worker emulates the exit on its own thread
 *            (exits_worker.ts: a bus with one device)
 *   worker   the hand-off: the vCPU worker hands each exit to the main thread (channel.ts), as
 *            for ports no worker device claims
 * Prints the cost per exit (from the first exit to the last; worker start-up excluded) for each,
 * and the ratios against `direct`. Runs on any /dev/kvm (PVM here).
 *
 *   pnpm exec tsx packages/vmm/bench/exits.bench.ts [N] [direct|local|worker|all] [out|in]
 */
import { GuestMemory, Kvm } from '../src/kvm/index.ts';
import { KvmExit } from '../src/kvm_sys/constants.ts';
import { tsWorkerEntry, VcpuSet } from '../src/vcpu/thread.ts';

const n = Number(process.argv[2] ?? 20000);
const mode = process.argv[3] ?? 'all';
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

const perExitUs: Record<string, number> = {};
function report(name: string, exits: number, ms: number) {
  perExitUs[name] = (ms * 1000) / exits;
  console.log(`${name.padEnd(6)} ${exits} IO exits in ${ms.toFixed(0)} ms: ${((exits / ms) * 1000).toFixed(0)} exits/s, ${((ms * 1000) / exits).toFixed(1)} µs per exit`);
}

if (mode === 'direct' || mode === 'all') {
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

if (mode === 'local' || mode === 'all') {
  // Timed in the worker's terms: from its first KVM_RUN to the terminal HLT (start-up excluded).
  const { kvm, vm, vcpu } = guest();
  const set = VcpuSet.start([vcpu], { io: () => {}, mmio: () => {} }, { entry: tsWorkerEntry(new URL('./exits_worker.ts', import.meta.url)) });
  const thread = set.threads[0]!;
  while (thread.runningAt === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
  const exit = await thread.exited;
  const ms = performance.now() - (thread.firstExitAt ?? thread.runningAt);
  await set.stop();
  if (exit.kind !== 'hlt') throw new Error(`unexpected exit ${exit.kind}`);
  report('local', n, ms);
  vm.close();
  kvm.close();
}

if (mode === 'worker' || mode === 'all') {
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

const direct = perExitUs['direct'];
if (direct !== undefined) for (const [name, us] of Object.entries(perExitUs)) if (name !== 'direct') console.log(`${name} / direct: ${(us / direct).toFixed(2)}x per exit`);
