/** `--cpu-affinity` values in crosvm's syntax: CPU sets, per-vCPU assignments, located errors. */
import { describe, expect, it } from 'vitest';
import { CpuAffinityError, formatCpuSet, MAX_CPU, parseCpuAffinity, parseCpuSet, vcpuCpus } from './affinity.ts';

describe('parseCpuSet', () => {
  it.each([
    ['0', [0]],
    ['3,1', [1, 3]],
    ['0,2-4', [0, 2, 3, 4]],
    ['1-2,2-3', [1, 2, 3]],
    [' 5 ', [5]],
    [`${MAX_CPU}`, [MAX_CPU]],
  ])('%j is %j', (text, cpus) => expect(parseCpuSet(text)).toEqual(cpus));

  it.each([
    ['', /empty CPU set/],
    ['a', /"a" in CPU set "a" is not a CPU number or a range/],
    ['1,,2', /"" in CPU set "1,,2" is not a CPU number/],
    ['-1', /"-1" in CPU set "-1" is not a CPU number/],
    ['3-1', /range "3-1" in CPU set "3-1" ends before it starts/],
    ['0-1024', /CPU 1024 in CPU set "0-1024" is beyond 1023/],
  ])('%j is refused', (text, message) => {
    expect(() => parseCpuSet(text)).toThrow(CpuAffinityError);
    expect(() => parseCpuSet(text)).toThrow(message);
  });

  it('formats sets back as taskset writes them', () => {
    expect(formatCpuSet([0])).toBe('0');
    expect(formatCpuSet([0, 2, 3, 4, 7, 9, 10])).toBe('0,2-4,7,9-10');
    expect(formatCpuSet(parseCpuSet('6,0-2,4'))).toBe('0-2,4,6');
  });
});

describe('parseCpuAffinity', () => {
  it('puts every vCPU on one set when there is no "="', () => {
    const affinity = parseCpuAffinity('0-1', 3);
    expect(affinity).toEqual({ kind: 'all', cpus: [0, 1] });
    expect([0, 1, 2].map((v) => vcpuCpus(affinity, v))).toEqual([[0, 1], [0, 1], [0, 1]]);
  });

  it('places each listed vCPU on its own set and leaves the others to the scheduler', () => {
    const affinity = parseCpuAffinity('0=0:2=2-3', 3);
    expect([0, 1, 2].map((v) => vcpuCpus(affinity, v))).toEqual([[0], undefined, [2, 3]]);
    expect(vcpuCpus(undefined, 0)).toBeUndefined();
  });

  it.each([
    ['0=0:1', /"1" is not VCPU=CPUSET/],
    ['x=1', /"x=1" is not VCPU=CPUSET/],
    ['0=0:0=1', /vCPU 0 is assigned twice/],
    ['4=0', /vCPU 4 in "4=0" does not exist: the VM has 2 vCPUs \(0-1\)/],
    ['1=', /empty CPU set/],
    ['0=1-x', /"1-x" in CPU set "1-x" is not a CPU number/],
  ])('%j is refused for 2 vCPUs', (text, message) => {
    expect(() => parseCpuAffinity(text, 2)).toThrow(CpuAffinityError);
    expect(() => parseCpuAffinity(text, 2)).toThrow(message);
  });

  it('names the single vCPU in the singular', () => expect(() => parseCpuAffinity('1=0', 1)).toThrow(/the VM has 1 vCPU \(0-0\)/));
});
