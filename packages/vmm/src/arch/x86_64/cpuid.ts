/**
 * Per-vCPU CPUID from the host's `KVM_GET_SUPPORTED_CPUID` entries, for `KVM_SET_CPUID2`
 * (Firecracker's `cpuid/normalize.rs` and its Intel/AMD parts; crosvm's `cpuid.rs`). The topology
 * presented is one package with one core per vCPU and one thread per core; the APIC ID is the
 * vCPU index (as in the MP table).
 *
 * | leaf | change |
 * |---|---|
 * | 0x1 | EBX[31:24] = APIC ID, EBX[23:16] = logical processors in the package (vCPU count), EBX[15:8] = CLFLUSH line 8 (×8 = 64 bytes); ECX: hypervisor (31) = 1, TSC-deadline (24) = 1 unless disabled, PDCM (15) = 0; EDX: HTT (28) = vCPUs > 1 |
 * | 0x4 (Intel) | each cache level: EAX[25:14] = threads sharing it - 1 (0 for L1/L2, vCPUs - 1 for L3), EAX[31:26] = cores in the package - 1 |
 * | 0x6 (Intel) | turbo boost (EAX bit 1) and energy-performance bias (ECX bit 3) off |
 * | 0xA (Intel) | zeroed: no architectural performance monitoring |
 * | 0xB, 0x1F | rebuilt: level 0 SMT (1 thread), level 1 core (vCPU count, package shift = ceil(log2 vCPUs)), level 2 invalid; EDX = x2APIC ID |
 * | 0x80000001 (AMD) | ECX CmpLegacy (bit 1) = vCPUs > 1 |
 * | 0x80000008 (AMD) | ECX[7:0] = vCPUs - 1, ECX[15:12] = APIC ID size |
 * | 0x8000001E (AMD) | EAX = extended APIC ID, EBX = core ID (1 thread per core), ECX = node 0 |
 *
 * Leaves 0 (vendor), 0x80000005/6 (caches), 0x4000000x (KVM) and the rest pass through. The input
 * is never modified.
 */

/** One `kvm_cpuid_entry2` as plain numbers (registers as unsigned 32-bit). */
export interface CpuidEntry {
  function: number;
  index: number;
  flags: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

/** `kvm_cpuid_entry2.flags`: the leaf has subleaves selected by ECX (the kernel's spelling). */
export const KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;
/** The most vCPUs this topology describes (8-bit APIC IDs, one below broadcast). */
export const MAX_CPUID_VCPUS = 254;

/** The one error of this module. */
export class CpuidError extends Error {
  override readonly name = 'CpuidError';
}

/** Which vCPU of how many. */
export interface CpuidOptions {
  readonly vcpuId: number;
  readonly vcpuCount: number;
  /** Advertise the TSC-deadline timer (KVM's in-kernel LAPIC emulates it; default true). */
  readonly tscDeadline?: boolean;
}

type Vendor = 'intel' | 'amd' | 'other';

const LEAF1_ECX_PDCM = 1 << 15;
const LEAF1_ECX_TSC_DEADLINE = 1 << 24;
const LEAF1_ECX_HYPERVISOR = 1 << 31;
const LEAF1_EDX_HTT = 1 << 28;

/**
 * The CPUID entries for vCPU `vcpuId` of `vcpuCount`.
 * @throws {CpuidError} for a bad vCPU id or count, or an entry that is not a kvm_cpuid_entry2 of u32s.
 */
export function patchCpuid(entries: readonly CpuidEntry[], options: CpuidOptions): CpuidEntry[] {
  const { vcpuId, vcpuCount } = options;
  if (!Number.isInteger(vcpuCount) || vcpuCount < 1 || vcpuCount > MAX_CPUID_VCPUS) throw new CpuidError(`vCPU count ${String(vcpuCount)} is not an integer in [1, ${String(MAX_CPUID_VCPUS)}]`);
  if (!Number.isInteger(vcpuId) || vcpuId < 0 || vcpuId >= vcpuCount) throw new CpuidError(`vCPU id ${String(vcpuId)} is not in [0, ${String(vcpuCount - 1)}]`);
  entries.forEach(checkEntry);
  const vendor = vendorOf(entries);
  const apicId = vcpuId;
  const packageShift = Math.ceil(Math.log2(vcpuCount));
  const u32 = (value: number) => value >>> 0;

  const out: CpuidEntry[] = [];
  const rebuilt = new Set<number>();
  for (const original of entries) {
    const entry = { ...original };
    switch (entry.function) {
      case 0x1: {
        entry.ebx = u32((entry.ebx & 0xff) | (8 << 8) | (Math.min(vcpuCount, 0xff) << 16) | (apicId << 24));
        let ecx = (entry.ecx | LEAF1_ECX_HYPERVISOR) & ~LEAF1_ECX_PDCM;
        ecx = options.tscDeadline === false ? ecx & ~LEAF1_ECX_TSC_DEADLINE : ecx | LEAF1_ECX_TSC_DEADLINE;
        entry.ecx = u32(ecx);
        entry.edx = u32(vcpuCount > 1 ? entry.edx | LEAF1_EDX_HTT : entry.edx & ~LEAF1_EDX_HTT);
        break;
      }
      case 0x4:
        if (vendor === 'intel' && (entry.eax & 0x1f) !== 0) {
          const level = (entry.eax >>> 5) & 0x7;
          const sharing = level >= 3 ? Math.min(vcpuCount, 0x1000) - 1 : 0;
          const cores = Math.min(vcpuCount, 64) - 1;
          entry.eax = u32((entry.eax & 0x3fff) | (sharing << 14) | (cores << 26));
        }
        break;
      case 0x6:
        if (vendor === 'intel') {
          entry.eax = u32(entry.eax & ~0x2);
          entry.ecx = u32(entry.ecx & ~0x8);
        }
        break;
      case 0xa:
        if (vendor === 'intel') entry.eax = entry.ebx = entry.ecx = entry.edx = 0;
        break;
      case 0xb:
      case 0x1f:
        if (!rebuilt.has(entry.function)) {
          rebuilt.add(entry.function);
          out.push(...topologyLeaf(entry.function, apicId, vcpuCount, packageShift));
        }
        continue;
      case 0x8000_0001:
        if (vendor === 'amd') entry.ecx = u32(vcpuCount > 1 ? entry.ecx | 0x2 : entry.ecx & ~0x2);
        break;
      case 0x8000_0008:
        if (vendor === 'amd') entry.ecx = u32((entry.ecx & ~0xf0ff) | ((vcpuCount - 1) & 0xff) | (packageShift << 12));
        break;
      case 0x8000_001e:
        if (vendor === 'amd') {
          entry.eax = apicId;
          entry.ebx = u32((entry.ebx & ~0xffff) | (apicId & 0xff));
          entry.ecx = 0;
        }
        break;
    }
    out.push(entry);
  }
  return out;
}

/** Leaf 0xB or 0x1F, subleaves 0-2: SMT level, core level, invalid. */
function topologyLeaf(leaf: number, apicId: number, vcpuCount: number, packageShift: number): CpuidEntry[] {
  const entry = (index: number, eax: number, ebx: number, levelType: number): CpuidEntry => ({
    function: leaf,
    index,
    flags: KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
    eax,
    ebx,
    ecx: ((levelType << 8) | index) >>> 0,
    edx: apicId,
  });
  return [entry(0, 0, 1, 1), entry(1, packageShift, vcpuCount, 2), entry(2, 0, 0, 0)];
}

function vendorOf(entries: readonly CpuidEntry[]): Vendor {
  const leaf0 = entries.find((e) => e.function === 0);
  if (leaf0 === undefined) return 'other';
  const text = [leaf0.ebx, leaf0.edx, leaf0.ecx].map((r) => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, r >>> 24)).join('');
  if (text === 'GenuineIntel') return 'intel';
  if (text === 'AuthenticAMD' || text === 'HygonGenuine') return 'amd';
  return 'other';
}

function checkEntry(entry: CpuidEntry, i: number): void {
  for (const key of ['function', 'index', 'flags', 'eax', 'ebx', 'ecx', 'edx'] as const) {
    const value = entry[key];
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new CpuidError(`entry ${String(i)}: ${key} = ${String(value)} is not a u32`);
  }
}
