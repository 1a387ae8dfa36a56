/**
 * Where vCPU threads may run: crosvm's `--cpu-affinity`, in crosvm's syntax.
 *
 * - `CPUSET`, e.g. `0` or `0,2-3`: every vCPU's thread runs on those host CPUs.
 * - `VCPU=CPUSET[:VCPU=CPUSET...]`, e.g. `0=0:1=2-3`: each listed vCPU on its own set; the vCPUs
 *   not listed are left to the scheduler.
 *
 * A CPU set is a comma-separated list of CPU numbers and inclusive ranges (`0,2-3`), as taskset(1)
 * and cpuset(7) write them. Each vCPU's worker pins itself (sched_setaffinity) before its first
 * KVM_RUN, so the guest never runs anywhere else; the VMM's other threads (the main thread, the
 * runtime's helpers) keep the process's own mask, e.g. from `taskset`. A CPU the kernel refuses
 * (offline, outside the VMM's cpuset) ends the VM as a setup failure naming the vCPU and the set.
 */

/** Where the vCPUs may run: every vCPU on one set, or some vCPUs each on their own. */
export type VcpuAffinity = { kind: 'all'; cpus: readonly number[] } | { kind: 'each'; cpus: ReadonlyMap<number, readonly number[]> };

/** sched_setaffinity's limit (CPU_SETSIZE): CPUs 0-1023. */
export const MAX_CPU = 1023;

/** A `--cpu-affinity` value that does not parse; the message says where and what was expected. */
export class CpuAffinityError extends Error {
  override readonly name = 'CpuAffinityError';
}

/** Parses `0,2-5` into `[0, 2, 3, 4, 5]` (sorted, without repeats). */
export function parseCpuSet(text: string): number[] {
  if (text.trim() === '') throw new CpuAffinityError('empty CPU set; expected CPU numbers and ranges such as 0,2-3');
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new CpuAffinityError(`${JSON.stringify(part)} in CPU set ${JSON.stringify(text)} is not a CPU number or a range such as 2-3`);
    const first = Number(m[1]);
    const last = m[2] === undefined ? first : Number(m[2]);
    if (last < first) throw new CpuAffinityError(`range ${JSON.stringify(part)} in CPU set ${JSON.stringify(text)} ends before it starts`);
    if (last > MAX_CPU) throw new CpuAffinityError(`CPU ${last} in CPU set ${JSON.stringify(text)} is beyond ${MAX_CPU}, the highest CPU sched_setaffinity takes`);
    for (let cpu = first; cpu <= last; cpu++) cpus.add(cpu);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** Parses a `--cpu-affinity` value for a VM of `vcpus` vCPUs (see the module doc). */
export function parseCpuAffinity(text: string, vcpus: number): VcpuAffinity {
  if (!text.includes('=')) return { kind: 'all', cpus: parseCpuSet(text) };
  const each = new Map<number, readonly number[]>();
  for (const assignment of text.split(':')) {
    const m = /^(\d+)=(.*)$/.exec(assignment.trim());
    if (!m) throw new CpuAffinityError(`${JSON.stringify(assignment)} is not VCPU=CPUSET (e.g. 0=0 or 1=2-3)`);
    const vcpu = Number(m[1]);
    if (vcpu >= vcpus) throw new CpuAffinityError(`vCPU ${vcpu} in ${JSON.stringify(assignment)} does not exist: the VM has ${vcpus} vCPU${vcpus === 1 ? '' : 's'} (0-${vcpus - 1})`);
    if (each.has(vcpu)) throw new CpuAffinityError(`vCPU ${vcpu} is assigned twice`);
    each.set(vcpu, parseCpuSet(m[2]!));
  }
  return { kind: 'each', cpus: each };
}

/** The CPUs vCPU `vcpu` is pinned to, or undefined when the scheduler places it. */
export function vcpuCpus(affinity: VcpuAffinity | undefined, vcpu: number): readonly number[] | undefined {
  if (affinity === undefined) return undefined;
  return affinity.kind === 'all' ? affinity.cpus : affinity.cpus.get(vcpu);
}

/** `0,2-3` for `[0, 2, 3]`: a CPU set as taskset(1) writes it. */
export function formatCpuSet(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length; ) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j]! + 1) j++;
    parts.push(j === i ? String(cpus[i]) : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
