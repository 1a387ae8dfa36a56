/**
 * Boot-to-/init benchmark: this VMM against QEMU `-enable-kvm`, on the same Debian kernel, the same
 * test initramfs and the same kernel parameters, inside the same test VM (tools/testvm; nested KVM),
 * alternating, `REPEAT` times each. Wall time is measured inside the test VM from the process's
 * start to the /init's first console line; the guest's own uptime at /init is shown beside it.
 * Goal: ours at most QEMU's (ratio ≤ 1).
 *
 *   pnpm exec tsx packages/vmm/bench/boot.bench.ts [--repeat 3] [--cpus 2] [--mem 256] [--only tsvmm|qemu] [--placement split|vcpus|one-cpu|free] [-- vmm options]
 *
 * `--placement` (test/support/l1.ts; README, "The test VM and vCPU placement"): `split` (the
 * default) runs both VMMs' vCPU threads on the test VM's first CPU and their other threads on the
 * second (ours through `--cpu-affinity`, QEMU's through QMP, as libvirt pins vCPUs); `vcpus` pins
 * the vCPU threads alike and leaves the rest to the scheduler; `one-cpu` runs every thread on the
 * first CPU, as the boot test does; `free` leaves them all to the scheduler (the vCPUs run in
 * parallel, but then guests often die). `--only` boots one of the two (no ratio): for
 * counting how often boots fail. A boot that hangs is killed after the driver's hang report
 * (l1_boot_driver.mjs), printed below the table.
 */
import { parseArgs } from 'node:util';
import { GUEST_INITRAMFS_IN_VM, GUEST_KERNEL_IN_VM, guestCommandLine } from '@tsvmm/testvm';
import { DEFAULT_KERNEL_PARAMS } from '../src/cli/args.ts';
import { bootInTestVm, describeBoot, PLACEMENTS, stageBundle, TSVMM_PIN_VCPUS, type BootResult, type BootRun, type Placement } from '../test/support/l1.ts';

const { values, positionals: extra } = parseArgs({
  allowPositionals: true,
  options: { repeat: { type: 'string', default: '3' }, cpus: { type: 'string', default: '2' }, mem: { type: 'string', default: '256' }, only: { type: 'string' }, placement: { type: 'string', default: 'split' } },
});
const placement = values.placement as Placement;
if (!PLACEMENTS.includes(placement)) throw new Error(`--placement must be one of ${PLACEMENTS.join(', ')}, got ${JSON.stringify(values.placement)}`);
const repeat = Number(values.repeat);
const cpus = Number(values.cpus);
const mem = Number(values.mem);

const testParams = guestCommandLine({ base: '', cpus, now: null }).trim() + ' testvm.now=@NOW@';
const cmdline = `${DEFAULT_KERNEL_PARAMS.join(' ')} ${testParams}`;
const bundle = await stageBundle();
const allRuns: BootRun[] = [
  { name: 'tsvmm', argv: ['node', bundle, 'run', '-m', String(mem), '-c', String(cpus), '-i', GUEST_INITRAMFS_IN_VM, '--no-default-params', '-p', cmdline, '--stats', ...extra, GUEST_KERNEL_IN_VM], pinVcpus: TSVMM_PIN_VCPUS },
  {
    name: 'qemu',
    argv: [
      'qemu-system-x86_64', '-enable-kvm', '-cpu', 'host', '-m', String(mem), '-smp', String(cpus),
      '-nographic', '-no-reboot', '-nic', 'none', '-kernel', GUEST_KERNEL_IN_VM, '-initrd', GUEST_INITRAMFS_IN_VM, '-append', cmdline,
    ],
    pinVcpus: 'qmp',
  },
];
const runs = values.only === undefined ? allRuns : allRuns.filter((r) => r.name === values.only);
if (runs.length === 0) throw new Error(`--only must be one of ${allRuns.map((r) => r.name).join(', ')}, got ${JSON.stringify(values.only)}`);

const where: Record<Placement, string> = {
  'one-cpu': 'every thread of each VMM on its first CPU',
  vcpus: 'vCPU threads pinned to its first CPU, the VMMs\' other threads on any',
  split: 'vCPU threads pinned to its first CPU, the VMMs\' other threads to its second',
  free: 'each VMM on any of its CPUs',
};
console.log(`booting ${GUEST_KERNEL_IN_VM} with ${cpus} vCPUs and ${mem} MiB, ${repeat}x each, inside the test VM, ${where[placement]}\ncommand line: ${cmdline}`);
const { results, vm, vmError } = await bootInTestVm(runs, { repeat, placement, keepPartial: true, onOutput: (t) => process.stdout.write(t.split('\n').filter((l) => l.startsWith('BOOT-DRIVER:')).map((l) => `${l}\n`).join('')) });
if (vm !== undefined && !vm.kvm) throw new Error('the test VM has no /dev/kvm');
if (vmError !== undefined) {
  // The whole test VM can hang (README, "The test VM and vCPU placement"): keep the boots it finished, and say so.
  process.exitCode = 1;
  console.log(`\nthe test VM failed after ${results.length} boots, which are below: ${vmError.message.split('\n')[0]}\ntest VM console tail:\n${vmError.consoleTail.split('\n').slice(-6).join('\n')}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const of = (name: string) => results.filter((r) => r.name === name);
const ok = (r: BootResult) => r.markerMs !== undefined;
const row = (name: string) => {
  const rs = of(name);
  const good = rs.filter(ok);
  return {
    name,
    boots: `${good.length}/${rs.length}`,
    toInitMs: median(good.map((r) => r.markerMs!)),
    toKernelMs: median(good.map((r) => r.kernelMs ?? NaN)),
    uptimeS: median(good.map((r) => r.uptime ?? NaN)),
    totalMs: median(good.map((r) => r.totalMs)),
    exitCodes: [...new Set(rs.map((r) => r.exitCode))].join(','),
  };
};
const rows = runs.map((r) => row(r.name));
console.log('\nmedians (wall times measured inside the test VM):');
console.log('vmm     boots  to kernel banner  banner to /init  to /init (wall)  guest uptime at /init  process total  exit');
const ms = (x: number) => `${x.toFixed(0)} ms`;
for (const r of rows) {
  console.log(
    `${r.name.padEnd(7)} ${r.boots.padEnd(6)} ${ms(r.toKernelMs).padStart(16)}  ${ms(r.toInitMs - r.toKernelMs).padStart(15)}  ${ms(r.toInitMs).padStart(15)}  ${`${r.uptimeS.toFixed(2)} s`.padStart(21)}  ${ms(r.totalMs).padStart(13)}  ${r.exitCodes}`,
  );
}
const ratio = (a: number, b: number) => (a / b).toFixed(2);
const [ours, qemu] = rows;
if (rows.length === 2 && ours && qemu) console.log(`ratio tsvmm/qemu: to /init ${ratio(ours.toInitMs, qemu.toInitMs)} (goal: ≤ 1); to the kernel banner ${ratio(ours.toKernelMs, qemu.toKernelMs)}; banner to /init ${ratio(ours.toInitMs - ours.toKernelMs, qemu.toInitMs - qemu.toKernelMs)}; guest uptime ${ratio(ours.uptimeS, qemu.uptimeS)}`);
for (const r of of('tsvmm').filter(ok)) {
  const stats = r.stderr.split('\n').filter((l) => ['vmm: since', 'vmm: exits', 'vmm: threads on CPUs', 'vmm: CPU time'].some((p) => l.startsWith(p)));
  if (stats.length > 0) console.log(`\ntsvmm #${r.iteration} --stats:\n${stats.join('\n')}`);
}
for (const r of results.filter((r) => !ok(r))) console.log(`\n${r.name} #${r.iteration} did not reach /init (exit ${r.exitCode ?? r.signal ?? r.error}):\n${describeBoot(r, 2000)}`);
